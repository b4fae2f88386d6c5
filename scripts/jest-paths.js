// Maps the tsconfig path aliases (@omni/<lib>) for Jest, so there is one source of truth.
const { compilerOptions } = require('../tsconfig.json');

function pathsToModuleNameMapper() {
  const mapper = {};
  for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
    const key = '^' + alias.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace('/*', '/(.*)') + '$';
    mapper[key] = '<rootDir>/' + target.replace('/*', '/$1');
  }
  return mapper;
}

module.exports = { pathsToModuleNameMapper };
