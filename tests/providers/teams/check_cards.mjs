// Parses the Microsoft Teams webhook messages loom-oncall sent with Microsoft's own Adaptive Cards
// library (npm `adaptivecards`), the way Teams reads the card: reads a JSON array of message
// bodies ({"type": "message", "attachments": [...]}) on stdin and prints, as JSON, per card its
// version, the parse and validation events the library reported, and the actions it found.
// Exits 1 when any message is not a card message or any card has a parse or validation event
// (tests/integration/test_chat_channels.py runs it).
import { createRequire } from "node:module";

// The package's "main" is ES modules without "type": "module"; its UMD build loads in Node.
const AC = createRequire(import.meta.url)("adaptivecards/dist/adaptivecards.js");

function readStdin() {
  return new Promise((resolve, reject) => {
    let data = "";
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", (chunk) => (data += chunk));
    process.stdin.on("end", () => resolve(data));
    process.stdin.on("error", reject);
  });
}

// Every action of the card, in the body's ActionSets and the card's own actions.
function actionsOf(card) {
  const found = [];
  for (let i = 0; i < card.getActionCount(); i++) found.push(card.getActionAt(i));
  const visit = (element) => {
    if (element instanceof AC.ActionSet) {
      for (let i = 0; i < element.getActionCount(); i++) found.push(element.getActionAt(i));
    }
    if (element instanceof AC.Container || element instanceof AC.AdaptiveCard) {
      for (let i = 0; i < element.getItemCount(); i++) visit(element.getItemAt(i));
    }
  };
  visit(card);
  return found.map((a) => ({ type: a.getJsonTypeName(), title: a.title, url: a.url }));
}

const messages = JSON.parse(await readStdin());
const report = [];
let failed = false;
for (const message of messages) {
  const attachments = message && message.type === "message" ? message.attachments : null;
  if (!Array.isArray(attachments) || attachments.length === 0) {
    report.push({ error: "not a message with attachments" });
    failed = true;
    continue;
  }
  for (const attachment of attachments) {
    if (attachment.contentType !== "application/vnd.microsoft.card.adaptive") {
      report.push({ error: `contentType ${attachment.contentType}` });
      failed = true;
      continue;
    }
    const context = new AC.SerializationContext();
    const card = new AC.AdaptiveCard();
    card.parse(attachment.content, context);
    const events = [];
    for (let i = 0; i < context.eventCount; i++) {
      const e = context.getEventAt(i);
      events.push({ phase: e.phase, event: e.event, message: e.message });
    }
    const validation = card.validateProperties();
    for (const e of validation.validationEvents) {
      events.push({ phase: "validation", event: e.event, message: e.message });
    }
    if (events.length > 0) failed = true;
    report.push({ version: card.version ? card.version.toString() : null, events, actions: actionsOf(card) });
  }
}
process.stdout.write(JSON.stringify(report));
process.exit(failed ? 1 : 0);
