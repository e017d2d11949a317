'use strict';
// Spindle test kit: loaded into Azurite with NODE_OPTIONS=--require (see AzuriteServer).
//
// Azurite keeps its metadata (which blobs exist, their committed blocks) in LokiJS databases that it writes
// to disk only every 5 seconds. Killed with SIGKILL, it forgets blobs it acknowledged in the last 5 seconds,
// which no real object store does. This script makes SIGTERM a crash of a durable store instead: it writes
// every loaded database synchronously, in the event loop, then SIGKILLs the process in the same tick. So
// every answer Azurite sent before the signal was handled is on disk, and nothing after it is answered.
const fs = require('fs');
const Loki = require(process.env.SPINDLE_LOKIJS);

// Azurite asks a database for its collections only once it is loaded, so a database seen here is safe to save.
const loaded = new Set();
for (const method of ['getCollection', 'addCollection'])
{
    const original = Loki.prototype[method];
    Loki.prototype[method] = function ()
    {
        loaded.add(this);
        return original.apply(this, arguments);
    };
}

process.prependListener('SIGTERM', () =>
{
    for (const db of loaded)
    {
        if (db.persistenceMethod === 'fs' && db.filename)
        {
            const tmp = db.filename + '.spindle~';
            fs.writeFileSync(tmp, db.serialize());
            fs.renameSync(tmp, db.filename);
        }
    }
    process.stderr.write('spindle: saved ' + loaded.size + ' Azurite databases, killing the server\n');
    process.kill(process.pid, 'SIGKILL');
});
