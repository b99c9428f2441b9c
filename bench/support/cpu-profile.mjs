// Preload (NODE_OPTIONS=--import …/cpu-profile.mjs, CPU_PROFILE_DIR=…): CPU profile of a spawned server, written on exit.
import inspector from 'node:inspector';
import { writeFileSync } from 'node:fs';
const session = new inspector.Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.start');
process.on('exit', () => {
  session.post('Profiler.stop', (err, res) => {
    if (!err) writeFileSync(`${process.env.CPU_PROFILE_DIR ?? '.'}/server-${process.pid}.cpuprofile`, JSON.stringify(res.profile));
  });
});
