CREATE TYPE "public"."destination_state" AS ENUM('ok', 'failing', 'revoked');--> statement-breakpoint
CREATE TABLE "destination_links" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"athlete_id" bigint NOT NULL,
	"destination" "destination" NOT NULL,
	"external_athlete_id" text,
	"secret_enc" text,
	"state" "destination_state" DEFAULT 'ok' NOT NULL,
	"last_error" text,
	"last_push_at" timestamp with time zone,
	"linked_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "destination_links_athlete_destination_uq" UNIQUE("athlete_id","destination")
);
--> statement-breakpoint
ALTER TABLE "workout_pushes" ADD COLUMN "schedule_id" text;--> statement-breakpoint
ALTER TABLE "workout_pushes" ADD COLUMN "start_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "workout_pushes" ADD COLUMN "content_hash" text;--> statement-breakpoint
ALTER TABLE "destination_links" ADD CONSTRAINT "destination_links_athlete_id_athletes_id_fk" FOREIGN KEY ("athlete_id") REFERENCES "public"."athletes"("id") ON DELETE cascade ON UPDATE no action;