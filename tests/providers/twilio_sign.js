// Signs the callbacks the integration tests send to loom-oncall as Twilio would, with the
// official helper library: reads {authToken, url, params} as JSON on stdin, writes
// {signature, valid} — the X-Twilio-Signature (twilio.getExpectedTwilioSignature) and whether
// twilio.validateRequest accepts it for the same request.
const twilio = require('twilio');

let input = '';
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const { authToken, url, params } = JSON.parse(input);
  const signature = twilio.getExpectedTwilioSignature(authToken, url, params);
  const valid = twilio.validateRequest(authToken, signature, url, params);
  process.stdout.write(JSON.stringify({ signature, valid }));
});
