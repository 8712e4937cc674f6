CREATE TABLE `anomalies` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant` text NOT NULL,
	`series_id` integer NOT NULL,
	`service` text NOT NULL,
	`window_start` integer NOT NULL,
	`score` real NOT NULL,
	`severity` text NOT NULL,
	`drivers` text NOT NULL,
	`count` integer NOT NULL,
	`errors` integer NOT NULL,
	`incident_id` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `anomalies_tenant_time` ON `anomalies` (`tenant`,`window_start`);--> statement-breakpoint
CREATE INDEX `anomalies_incident` ON `anomalies` (`incident_id`);--> statement-breakpoint
CREATE TABLE `incidents` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant` text NOT NULL,
	`status` text NOT NULL,
	`severity` text NOT NULL,
	`title` text NOT NULL,
	`services` text NOT NULL,
	`started_at` integer NOT NULL,
	`last_anomaly_at` integer NOT NULL,
	`resolved_at` integer,
	`anomaly_count` integer NOT NULL,
	`report` text NOT NULL,
	`report_key` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `incidents_tenant_status` ON `incidents` (`tenant`,`status`,`last_anomaly_at`);--> statement-breakpoint
CREATE TABLE `merge_guard` (
	`id` integer PRIMARY KEY NOT NULL,
	`ok` integer NOT NULL,
	CONSTRAINT "merge_guard_ok" CHECK(ok > 0)
);
--> statement-breakpoint
CREATE TABLE `series` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tenant` text NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`labels` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `series_key` ON `series` (`tenant`,`kind`,`name`,`labels`);--> statement-breakpoint
CREATE TABLE `windows` (
	`series_id` integer NOT NULL,
	`resolution` integer NOT NULL,
	`start` integer NOT NULL,
	`count` integer NOT NULL,
	`errors` integer DEFAULT 0 NOT NULL,
	`sum` real DEFAULT 0 NOT NULL,
	`mean` real,
	`stddev` real,
	`min` real,
	`max` real,
	`last` real,
	`last_ts` integer,
	`p50` real,
	`p95` real,
	`p99` real,
	`distinct_endpoints` integer,
	`agg` blob NOT NULL,
	`closed_at` integer,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`series_id`, `resolution`, `start`)
);
--> statement-breakpoint
CREATE INDEX `windows_open` ON `windows` (`closed_at`,`start`);