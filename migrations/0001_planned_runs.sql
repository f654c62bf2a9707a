CREATE TABLE "planned_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"athlete_id" bigint NOT NULL,
	"source" text NOT NULL,
	"uid" text NOT NULL,
	"start_at" timestamp with time zone NOT NULL,
	"duration_min" integer NOT NULL,
	"title" text NOT NULL,
	"imported_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "planned_runs_athlete_source_uid_uq" UNIQUE("athlete_id","source","uid")
);
--> statement-breakpoint
ALTER TABLE "planned_runs" ADD CONSTRAINT "planned_runs_athlete_id_athletes_id_fk" FOREIGN KEY ("athlete_id") REFERENCES "public"."athletes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "planned_runs_athlete_start_idx" ON "planned_runs" USING btree ("athlete_id","start_at");