CREATE TABLE `recommendations` (
	`tenant` text NOT NULL,
	`workload` text NOT NULL,
	`current_replicas` integer NOT NULL,
	`recommended_replicas` integer NOT NULL,
	`monthly_savings` real,
	`confidence` real NOT NULL,
	`body` text NOT NULL,
	`computed_at` integer NOT NULL,
	PRIMARY KEY(`tenant`, `workload`)
);
--> statement-breakpoint
CREATE TABLE `workloads` (
	`tenant` text NOT NULL,
	`name` text NOT NULL,
	`spec` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`tenant`, `name`)
);
