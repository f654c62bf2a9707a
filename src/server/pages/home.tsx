// `/` for a visitor who is not signed in: what runstrong does, and the two ways in.
import { ACCOUNT_DELETED_NOTICES } from "./account.tsx";
import { Layout } from "./layout.tsx";

export const HOME_NOTICES = {
  expired: "Your session has ended. Connect again to see your plan.",
  "signed-out": "You are signed out.",
  ...ACCOUNT_DELETED_NOTICES,
} as const;
export type HomeNotice = keyof typeof HOME_NOTICES;

export function homePage(notice: HomeNotice | null) {
  return (
    <Layout title="Strength training that fits around your runs">
      {notice ? (
        <p class={notice === "expired" ? "alert" : "ok"} role="status">
          {HOME_NOTICES[notice]}
        </p>
      ) : null}
      <p>
        runstrong plans two strength sessions a week for distance runners and puts them where they help: away
        from your hard runs, never the day before a race.
      </p>
      <p>Each time you upload a run it re-plans the week, and tells you what moved and why.</p>
      <div class="connect">
        <a class="strava" href="/auth/strava">
          Connect with Strava
        </a>
        <a class="garmin" href="/auth/garmin">
          Connect Garmin
        </a>
      </div>
      <p class="muted">
        runstrong reads your runs and heart-rate zones only to plan your strength sessions. You can disconnect
        at any time.
      </p>
    </Layout>
  );
}
