CREATE TABLE `forests` (
	`series_id` integer PRIMARY KEY NOT NULL,
	`tenant` text NOT NULL,
	`features` text NOT NULL,
	`bytes` blob NOT NULL,
	`rows` integer NOT NULL,
	`fitted_at` integer NOT NULL
);
