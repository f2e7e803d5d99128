// Imitates Electron's utilityProcess for a forked Node process: process.parentPort with
// postMessage(message) and on('message', ({ data }) => …). Loaded with --import before the host.
const send = process.send.bind(process);
process.parentPort = {
  postMessage: (message) => send({ viaParentPort: true, message }),
  on: (event, listener) => process.on(event, (data) => listener({ data })),
};
// Hide the fork channel from the host so it must use parentPort.
process.send = undefined;
