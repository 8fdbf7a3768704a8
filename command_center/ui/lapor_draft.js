// The Lapor form kept on the phone: what the reporter types is saved in localStorage as they
// type; pressing send with no connection (or no answer within `waitS`) says at once that the
// report is not sent yet; reopening the link puts a draft that never reached the server back
// into the form. The server's confirmation (`sent`) is the only thing that drops a draft.
(function (config) {
  const PREFIX = "cc-lapor:";
  const FORM = '[data-testid="stForm"]';
  const FIELDS = "input[aria-label], textarea[aria-label]";
  const guard = (window.ccLaporDraft = window.ccLaporDraft || {});
  guard.config = config;

  function banner(id, text, colour) {
    let note = document.getElementById(id);
    if (!note) {
      note = document.createElement("div");
      note.id = id;
      note.setAttribute("role", "alert");
      note.style.cssText =
        "position:fixed;left:0;right:0;bottom:0;z-index:100000;padding:14px 16px;" +
        "font-size:18px;line-height:1.35;color:#fff;box-shadow:0 -2px 8px rgba(0,0,0,.3)";
      document.body.appendChild(note);
    }
    note.style.background = colour;
    note.textContent = text;
  }

  function unbanner(id) {
    document.getElementById(id)?.remove();
  }

  function read(key) {
    try {
      return JSON.parse(window.localStorage.getItem(PREFIX + key) || "null");
    } catch (error) {
      return null; // a draft written by another version: start afresh
    }
  }

  function fields(form) {
    // the typed figures and texts; the date and time are left at the page's own
    return [...form.querySelectorAll(FIELDS)].filter((el) => el.type !== "hidden" && !el.readOnly);
  }

  function write(key, draft) {
    window.localStorage.setItem(PREFIX + key, JSON.stringify(draft));
  }

  function save(form, pending) {
    const key = guard.config.form;
    const values = {};
    for (const el of fields(form)) if (el.value !== "") values[el.getAttribute("aria-label")] = el.value;
    write(key, { values, saved: Date.now(), pending: pending ?? read(key)?.pending ?? null });
  }

  function put(el, value) {
    // React keeps its own copy of an input's value: set it through the native setter and
    // announce it as typed, then leave the field so Streamlit takes the value
    const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(el), "value").set;
    setter.call(el, value);
    el.dispatchEvent(new Event("input", { bubbles: true }));
    el.dispatchEvent(new FocusEvent("focusout", { bubbles: true }));
    el.dispatchEvent(new FocusEvent("blur"));
  }

  function restore(steady) {
    // a field drawn again while the page loads shows the page's value: put the draft back
    // until the form has kept it for a few passes in a row
    const form = document.querySelector(FORM);
    const draft = read(guard.config.form);
    if (!form || !draft || !Object.keys(draft.values).length) return;
    let changed = false;
    for (const el of fields(form)) {
      const value = draft.values[el.getAttribute("aria-label")];
      if (value !== undefined && el.value !== value) {
        put(el, value);
        changed = true;
      }
    }
    if (draft.pending) write(guard.config.form, { ...draft, pending: null }); // sent on a press
    banner("cc-lapor-restored", guard.config.restored, "#1565c0");
    steady = changed ? 0 : steady + 1;
    if (steady < 5) setTimeout(() => restore(steady), 300);
  }

  function pressed() {
    const key = guard.config.form;
    const form = document.querySelector(FORM);
    if (form) save(form, Date.now());
    const check = () => {
      if (read(key)?.pending) banner("cc-lapor-unsent", guard.config.unsent, "#b71c1c");
    };
    if (!navigator.onLine) check();
    else setTimeout(check, guard.config.waitS * 1000);
  }

  if (!guard.listening) {
    guard.listening = true;
    document.addEventListener("input", (event) => {
      const form = event.target.closest?.(FORM);
      if (form && event.isTrusted) save(form);
    });
    document.addEventListener(
      "click",
      (event) => {
        if (event.target.closest?.('[data-testid="stFormSubmitButton"]')) pressed();
      },
      true,
    );
    window.addEventListener("offline", () => {
      if (read(guard.config.form)?.pending) banner("cc-lapor-unsent", guard.config.unsent, "#b71c1c");
    });
  }

  if (config.sent) {
    window.localStorage.removeItem(PREFIX + config.sent);
    unbanner("cc-lapor-unsent");
    unbanner("cc-lapor-restored");
    return;
  }
  const started = Date.now();
  (function wait() {
    // the form arrives in the same run as this script, its send button last
    if (document.querySelector(`${FORM} [data-testid="stFormSubmitButton"]`)) restore(0);
    else if (Date.now() - started < 60000) setTimeout(wait, 200);
  })();
})(CONFIG);
