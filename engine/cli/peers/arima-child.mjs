// Runs arima's AutoARIMA once in its own process (engine/cli/peers/forecasters.ts):
// its fixed wasm heap can trap on long series and is unusable afterwards.
// stdin: {"ts": number[], "h": number}; stdout: {"ms": number, "pred": number[]}.
import ARIMA from "arima";

let input = "";
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", () => {
  const { ts, h } = JSON.parse(input);
  const t0 = performance.now();
  const a = new ARIMA({ auto: true, verbose: false });
  a.fit(ts);
  const pred = a.predict(h)[0];
  process.stdout.write(JSON.stringify({ ms: performance.now() - t0, pred }));
});
