// A uPlot time chart from columnar data: x in seconds, one Float64Array (or
// number array with nulls) per series, optional p10-p90 band and anomaly marks.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

/** One line of a chart. */
export interface Line {
  label: string;
  values: (number | null)[];
  color: string;
  /** Draw points only (anomaly marks). */
  points?: boolean;
  dash?: number[];
  /** Second y axis (right). */
  right?: boolean;
}

/** Draws a chart of [fromMs, toMs] into `el` (replacing what was there) and returns it. */
export function timeChart(el: HTMLElement, title: string, xsMs: number[], lines: Line[], rangeMs: [number, number], band?: [number, number]): uPlot {
  el.replaceChildren();
  const width = Math.max(320, el.clientWidth || 900);
  const opts: uPlot.Options = {
    title,
    width,
    height: 240,
    // A fixed x range: with one window, uPlot would otherwise stretch it over years.
    scales: { x: { time: true, range: [rangeMs[0] / 1000, rangeMs[1] / 1000] } },
    axes: [{}, { label: lines.find((l) => !l.right && !l.dash)?.label ?? lines[0]?.label ?? "" }, ...(lines.some((l) => l.right) ? [{ side: 1, scale: "right", grid: { show: false } }] : [])],
    series: [
      {},
      ...lines.map((l) => ({
        label: l.label,
        stroke: l.color,
        width: l.points ? 0 : 1.5,
        dash: l.dash,
        scale: l.right ? "right" : "y",
        // Sparse lines (a few windows so far) show their points, or nothing would be visible.
        points: l.points ? { show: true, size: 9, stroke: l.color, fill: l.color } : { show: l.values.filter((v) => v !== null).length < 30, size: 5 },
        spanGaps: false,
      })),
    ],
    bands: band ? [{ series: band, fill: "rgba(59,130,246,0.15)" }] : [],
  };
  const data: uPlot.AlignedData = [xsMs.map((t) => t / 1000), ...lines.map((l) => l.values)];
  return new uPlot(opts, data, el);
}
