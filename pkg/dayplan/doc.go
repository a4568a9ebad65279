// Package dayplan is the day arithmetic of a backfill, shared by the loader, which sends the plan,
// and the control, which estimates it before a run starts: the days of the window in TIMEZONE, the
// visits each day gets (the per-day target, the weekend factor of the realistic profile, only the
// hours already past for today, the total cap), and the curve that spreads a day's visits over its
// real hours. Because both programs call the same code, an estimate is the plan the loader makes,
// not a second implementation of it.
package dayplan
