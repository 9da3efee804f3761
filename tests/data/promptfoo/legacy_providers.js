// Providers for promptfoo 0.55 (the last version in this registry that writes the version 2
// summary, and has neither `echo` nor `exec:`): system A answers with the prompt; system B
// answers with the `alt` var and fails like a real provider on the cases marked `b_error`.
class SystemA {
  id() { return 'legacy-echo'; }
  async callApi(prompt) { return { output: prompt.trim() }; }
}
class SystemB {
  id() { return 'legacy-system-b'; }
  async callApi(prompt, context) {
    const vars = (context && context.vars) || {};
    if (vars.b_error) return { error: 'upstream model timed out after 30 s' };
    return { output: vars.alt || prompt.trim() };
  }
}
module.exports = { SystemA, SystemB };
