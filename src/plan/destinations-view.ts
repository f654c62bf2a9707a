// Where the athlete's plan goes and how that is going: GET /api/destinations.
import type { Database } from "../db/client.ts";
import { getConnectionForAthlete } from "../db/repos/connections.ts";
import { destinationLinksOf } from "../db/repos/workout-pushes.ts";

export interface DestinationView {
  name: "garmin" | "intervals_icu" | "calendar";
  connected: boolean;
  state: "ok" | "failing" | "revoked" | "off";
  lastPushAt: string | null;
  lastError: string | null;
}

/**
 * Garmin is connected when a Garmin connection exists (a revoked one still shows,
 * as revoked); intervals.icu when its key is set. "off" is a destination not
 * linked. The calendar feed is always there and pushes nothing: apps pull it.
 */
export async function destinationsView(db: Database, athleteId: number): Promise<DestinationView[]> {
  const [links, garmin] = await Promise.all([
    destinationLinksOf(db, athleteId),
    getConnectionForAthlete(db, athleteId, "garmin"),
  ]);
  const link = (name: "garmin" | "intervals_icu") => links.find((l) => l.destination === name) ?? null;
  const view = (
    name: "garmin" | "intervals_icu",
    connected: boolean,
    revoked: string | null,
  ): DestinationView => {
    const l = link(name);
    if (!connected) return { name, connected, state: "off", lastPushAt: null, lastError: null };
    return {
      name,
      connected,
      state: revoked ? "revoked" : (l?.state ?? "ok"),
      lastPushAt: l?.lastPushAt?.toISOString() ?? null,
      lastError: revoked ?? l?.lastError ?? null,
    };
  };
  const garminRevoked =
    garmin && garmin.status !== "active"
      ? (link("garmin")?.lastError ?? "Garmin access was revoked: connect Garmin again")
      : null;
  const intervals = link("intervals_icu");
  return [
    view("garmin", garmin !== null, garminRevoked),
    view("intervals_icu", intervals?.secretEnc != null, null),
    { name: "calendar", connected: true, state: "ok", lastPushAt: null, lastError: null },
  ];
}
