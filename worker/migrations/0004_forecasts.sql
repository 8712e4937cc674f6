CREATE TABLE `forecasts` (
	`series_id` integer PRIMARY KEY NOT NULL,
	`tenant` text NOT NULL,
	`field` text NOT NULL,
	`body` text NOT NULL,
	`computed_at` integer NOT NULL
);
