module.exports = require('./legacy_providers.js').SystemB;
