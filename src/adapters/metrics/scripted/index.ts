/** Scripted metric results for `baton simulate`. */
export { createScriptedProvider, displayScriptedValue, type ScriptedProvider } from './scripted-provider.js';
export { parseScript, type MetricScript, type ParseScriptResult, type ScriptEntry } from './parse-script.js';
