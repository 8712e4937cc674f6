CREATE TABLE `models` (
	`tenant` text NOT NULL,
	`name` text NOT NULL,
	`version` text NOT NULL,
	`sha256` text NOT NULL,
	`bytes` integer NOT NULL,
	`key` text NOT NULL,
	`card` text NOT NULL,
	`active` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`activated_at` integer,
	PRIMARY KEY(`tenant`, `name`, `version`)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `models_one_active` ON `models` (`tenant`) WHERE active = 1;--> statement-breakpoint
ALTER TABLE `anomalies` ADD `fired_by` text DEFAULT 'detector' NOT NULL;--> statement-breakpoint
ALTER TABLE `anomalies` ADD `model_score` real;--> statement-breakpoint
ALTER TABLE `anomalies` ADD `model` text;--> statement-breakpoint
ALTER TABLE `windows` ADD `model_score` real;