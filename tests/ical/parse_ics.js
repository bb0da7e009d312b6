// Reads an iCalendar document on stdin, parses it with ical.js (a real RFC 5545 parser), and
// prints {"name": X-WR-CALNAME, "events": [{uid, summary, start, end}]} with UTC ISO times.
// Used by tests/integration/test_oncall.py; exits non-zero when the document does not parse.
import ICAL from "ical.js";

let text = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { text += chunk; });
process.stdin.on("end", () => {
  const component = new ICAL.Component(ICAL.parse(text));
  if (component.name !== "vcalendar") throw new Error(`not a VCALENDAR: ${component.name}`);
  const events = component.getAllSubcomponents("vevent").map((vevent) => {
    const event = new ICAL.Event(vevent);
    return {
      uid: event.uid,
      summary: event.summary,
      start: event.startDate.toJSDate().toISOString(),
      end: event.endDate.toJSDate().toISOString(),
    };
  });
  const name = component.getFirstPropertyValue("x-wr-calname");
  process.stdout.write(JSON.stringify({ name, events }) + "\n");
});
