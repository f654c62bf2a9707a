CREATE TYPE "public"."connection_status" AS ENUM('active', 'needs_reauth', 'revoked');--> statement-breakpoint
CREATE TYPE "public"."provider" AS ENUM('strava', 'garmin');--> statement-breakpoint
CREATE TYPE "public"."delivery_status" AS ENUM('pending', 'sent', 'failed', 'deleted');--> statement-breakpoint
CREATE TYPE "public"."destination" AS ENUM('garmin', 'intervals_icu');--> statement-breakpoint
CREATE TYPE "public"."notification_channel" AS ENUM('email', 'webpush');--> statement-breakpoint
CREATE TYPE "public"."inbox_status" AS ENUM('received', 'processed', 'ignored', 'failed');--> statement-breakpoint
CREATE TABLE "activities" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"athlete_id" bigint NOT NULL,
	"provider" "provider" NOT NULL,
	"external_id" text NOT NULL,
	"name" text NOT NULL,
	"sport" text NOT NULL,
	"sport_type" text NOT NULL,
	"start_at" timestamp with time zone NOT NULL,
	"local_date" date NOT NULL,
	"timezone" text,
	"moving_s" integer NOT NULL,
	"elapsed_s" integer NOT NULL,
	"distance_m" real NOT NULL,
	"avg_hr" real,
	"max_hr" real,
	"kind" text,
	"subtype" text,
	"confidence" real,
	"reasons" jsonb,
	"kind_override" text,
	"summary" jsonb NOT NULL,
	"raw" jsonb,
	"raw_fetched_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "activities_provider_external_uq" UNIQUE("provider","external_id")
);
--> statement-breakpoint
CREATE TABLE "day_classifications" (
	"athlete_id" bigint NOT NULL,
	"date" date NOT NULL,
	"kind" text NOT NULL,
	"confidence" real NOT NULL,
	"reasons" jsonb NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "day_classifications_athlete_date_uq" UNIQUE("athlete_id","date")
);
--> statement-breakpoint
CREATE TABLE "app_state" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "athletes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"display_name" text,
	"email" text,
	"timezone" text DEFAULT 'UTC' NOT NULL,
	"hr_zones" jsonb,
	"max_hr" integer,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"calendar_token" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "athletes_calendar_token_unique" UNIQUE("calendar_token")
);
--> statement-breakpoint
CREATE TABLE "provider_connections" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"athlete_id" bigint NOT NULL,
	"provider" "provider" NOT NULL,
	"external_athlete_id" text NOT NULL,
	"access_token_enc" text,
	"refresh_token_enc" text,
	"expires_at" timestamp with time zone,
	"scopes" text[] DEFAULT '{}' NOT NULL,
	"status" "connection_status" DEFAULT 'active' NOT NULL,
	"status_reason" text,
	"connected_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "provider_connections_provider_external_uq" UNIQUE("provider","external_athlete_id"),
	CONSTRAINT "provider_connections_athlete_provider_uq" UNIQUE("athlete_id","provider")
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"athlete_id" bigint NOT NULL,
	"plan_version_id" bigint NOT NULL,
	"channel" "notification_channel" NOT NULL,
	"status" "delivery_status" DEFAULT 'pending' NOT NULL,
	"error" text,
	"sent_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notifications_version_channel_uq" UNIQUE("plan_version_id","channel")
);
--> statement-breakpoint
CREATE TABLE "web_push_subscriptions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"athlete_id" bigint NOT NULL,
	"endpoint" text NOT NULL,
	"p256dh" text NOT NULL,
	"auth" text NOT NULL,
	"failure_count" integer DEFAULT 0 NOT NULL,
	"last_success_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "web_push_subscriptions_endpoint_unique" UNIQUE("endpoint")
);
--> statement-breakpoint
CREATE TABLE "workout_pushes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"athlete_id" bigint NOT NULL,
	"session_key" uuid NOT NULL,
	"destination" "destination" NOT NULL,
	"external_id" text,
	"pushed_sequence" integer,
	"status" "delivery_status" DEFAULT 'pending' NOT NULL,
	"error" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "workout_pushes_destination_session_uq" UNIQUE("destination","session_key")
);
--> statement-breakpoint
CREATE TABLE "plan_versions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"athlete_id" bigint NOT NULL,
	"version" integer NOT NULL,
	"window_from" date NOT NULL,
	"window_to" date NOT NULL,
	"cause" jsonb NOT NULL,
	"diff" jsonb NOT NULL,
	"unplaced" jsonb NOT NULL,
	"output_hash" text NOT NULL,
	"published_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "plan_versions_athlete_version_uq" UNIQUE("athlete_id","version")
);
--> statement-breakpoint
CREATE TABLE "planned_sessions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"plan_version_id" bigint NOT NULL,
	"athlete_id" bigint NOT NULL,
	"session_key" uuid NOT NULL,
	"session" text NOT NULL,
	"phase" text NOT NULL,
	"start_at" timestamp with time zone NOT NULL,
	"end_at" timestamp with time zone NOT NULL,
	"exercises" jsonb NOT NULL,
	"reasons" jsonb NOT NULL,
	"status" text DEFAULT 'planned' NOT NULL,
	"pinned" boolean DEFAULT false NOT NULL,
	"sequence" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "planned_sessions_version_key_uq" UNIQUE("plan_version_id","session_key")
);
--> statement-breakpoint
CREATE TABLE "webhook_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"provider" "provider" NOT NULL,
	"dedupe_key" text NOT NULL,
	"external_athlete_id" text,
	"object_type" text,
	"object_id" text,
	"aspect_type" text,
	"event_time" timestamp with time zone,
	"payload" jsonb NOT NULL,
	"status" "inbox_status" DEFAULT 'received' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"error" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone,
	CONSTRAINT "webhook_events_provider_dedupe_uq" UNIQUE("provider","dedupe_key")
);
--> statement-breakpoint
ALTER TABLE "activities" ADD CONSTRAINT "activities_athlete_id_athletes_id_fk" FOREIGN KEY ("athlete_id") REFERENCES "public"."athletes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "day_classifications" ADD CONSTRAINT "day_classifications_athlete_id_athletes_id_fk" FOREIGN KEY ("athlete_id") REFERENCES "public"."athletes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provider_connections" ADD CONSTRAINT "provider_connections_athlete_id_athletes_id_fk" FOREIGN KEY ("athlete_id") REFERENCES "public"."athletes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_athlete_id_athletes_id_fk" FOREIGN KEY ("athlete_id") REFERENCES "public"."athletes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_plan_version_id_plan_versions_id_fk" FOREIGN KEY ("plan_version_id") REFERENCES "public"."plan_versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "web_push_subscriptions" ADD CONSTRAINT "web_push_subscriptions_athlete_id_athletes_id_fk" FOREIGN KEY ("athlete_id") REFERENCES "public"."athletes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workout_pushes" ADD CONSTRAINT "workout_pushes_athlete_id_athletes_id_fk" FOREIGN KEY ("athlete_id") REFERENCES "public"."athletes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_versions" ADD CONSTRAINT "plan_versions_athlete_id_athletes_id_fk" FOREIGN KEY ("athlete_id") REFERENCES "public"."athletes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "planned_sessions" ADD CONSTRAINT "planned_sessions_plan_version_id_plan_versions_id_fk" FOREIGN KEY ("plan_version_id") REFERENCES "public"."plan_versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "planned_sessions" ADD CONSTRAINT "planned_sessions_athlete_id_athletes_id_fk" FOREIGN KEY ("athlete_id") REFERENCES "public"."athletes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "activities_athlete_start_idx" ON "activities" USING btree ("athlete_id","start_at");--> statement-breakpoint
CREATE INDEX "activities_raw_fetched_idx" ON "activities" USING btree ("raw_fetched_at");--> statement-breakpoint
CREATE INDEX "athletes_timezone_idx" ON "athletes" USING btree ("timezone");--> statement-breakpoint
CREATE INDEX "planned_sessions_athlete_start_idx" ON "planned_sessions" USING btree ("athlete_id","start_at");--> statement-breakpoint
CREATE INDEX "webhook_events_pending_idx" ON "webhook_events" USING btree ("received_at") WHERE status = 'received';--> statement-breakpoint
CREATE INDEX "webhook_events_processed_at_idx" ON "webhook_events" USING btree ("processed_at");