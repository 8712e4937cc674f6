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
	`distinct` integer,
	`agg` blob NOT NULL,
	`closed_at` integer,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`series_id`, `resolution`, `start`)
);
--> statement-breakpoint
CREATE INDEX `windows_open` ON `windows` (`closed_at`,`start`);