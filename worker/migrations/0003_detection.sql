CREATE TABLE `detector_state` (
	`series_id` integer PRIMARY KEY NOT NULL,
	`state` blob NOT NULL,
	`features` text NOT NULL,
	`carry` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `windows` ADD `score` real;