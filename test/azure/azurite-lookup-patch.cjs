// Preloaded into Azurite by the benchmark only (startAzurite({ fastLookups: true })). Azurite 3.35's
// in-memory store finds a blob with findOne({ accountName, containerName, name, snapshot }); LokiJS
// answers an object query through the index of its *first* key — accountName, the same for every
// blob — so each write scans every blob and seeding 100k blobs takes the better part of an hour.
// Putting `name` first (an AND of equalities does not depend on the order) makes it an index lookup.
// Listing, conditional writes and every response stay Azurite's own.
const { createRequire } = require('node:module');
const azuriteMain = require.main ? require.main.filename : process.argv[1];
const loki = createRequire(azuriteMain)('lokijs');
const findOne = loki.Collection.prototype.findOne;
loki.Collection.prototype.findOne = function (query) {
  if (query && typeof query === 'object' && !Array.isArray(query) && 'name' in query && Object.keys(query)[0] !== 'name') {
    const { name, ...rest } = query;
    query = { name, ...rest };
  }
  return findOne.call(this, query);
};
