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
CREATE INDEX `incidents_tenant_status` ON `incidents` (`tenant`,`status`,`last_anomaly_at`);