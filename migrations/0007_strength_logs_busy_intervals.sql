CREATE TABLE "busy_intervals" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"athlete_id" bigint NOT NULL,
	"start_at" timestamp with time zone NOT NULL,
	"end_at" timestamp with time zone NOT NULL,
	"imported_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "strength_logs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"athlete_id" bigint NOT NULL,
	"session_key" uuid NOT NULL,
	"date" date NOT NULL,
	"session" text,
	"source" text NOT NULL,
	"exercises" jsonb NOT NULL,
	"logged_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "strength_logs_athlete_session_uq" UNIQUE("athlete_id","session_key")
);
--> statement-breakpoint
ALTER TABLE "busy_intervals" ADD CONSTRAINT "busy_intervals_athlete_id_athletes_id_fk" FOREIGN KEY ("athlete_id") REFERENCES "public"."athletes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "strength_logs" ADD CONSTRAINT "strength_logs_athlete_id_athletes_id_fk" FOREIGN KEY ("athlete_id") REFERENCES "public"."athletes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "busy_intervals_athlete_start_idx" ON "busy_intervals" USING btree ("athlete_id","start_at");--> statement-breakpoint
CREATE INDEX "strength_logs_athlete_date_idx" ON "strength_logs" USING btree ("athlete_id","date");