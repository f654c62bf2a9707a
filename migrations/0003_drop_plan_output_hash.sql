-- output_hash was written and never read: a re-plan tells a changed plan by its diff
-- against the stored sessions (src/workers/replan/replan-athlete.ts), not by a hash.
ALTER TABLE "plan_versions" DROP COLUMN "output_hash";