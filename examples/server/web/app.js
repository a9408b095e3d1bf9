// The organization settings page: renders any form of the azdosync schema
// from its field list (loading a lazy field's states as rows need them),
// and saves it with PUT and If-Match.
//
// Everything from the server is data: text goes into the page through
// textContent, option text and attributes, never through innerHTML.
'use strict';

(function () {
  const app = document.getElementById('app');
  const configURL = app.dataset.config;
  const statusLine = document.getElementById('status');
  const alertBox = document.getElementById('alert');
  const problems = document.getElementById('problems');
  const problemList = document.getElementById('problem-list');
  const form = document.getElementById('form');
  const fieldsBox = document.getElementById('fields');
  const saveButton = document.getElementById('save');
  const connected = document.getElementById('connected');

  let etag = null; // the ETag of the configuration shown, sent as If-Match
  let editors = []; // one per field: {field, node, value(), showErrors(rows), clearErrors()}
  let current = null; // the last form received, to render the values a save returns
  let types = {}; // by project ID: the work item type its states are of ({name, referenceName})
  let nextID = 0;

  function uid(prefix) {
    nextID += 1;
    return prefix + '-' + nextID;
  }

  // el makes an element; props are set as properties, except aria-* and
  // data-* names, which are attributes. Children are nodes or text.
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name.startsWith('aria-') || name.startsWith('data-') || name === 'role') {
        node.setAttribute(name, String(value));
      } else {
        node[name] = value;
      }
    }
    for (const child of children) {
      if (child === undefined || child === null || child === false) continue;
      node.append(typeof child === 'string' ? document.createTextNode(child) : child);
    }
    return node;
  }

  // setStatus says what happened; tone "ok" marks a success.
  function setStatus(text, tone) {
    statusLine.textContent = text;
    statusLine.className = tone || '';
  }

  // showAlert shows an error in the alert box, with an optional action
  // button, and moves focus there so keyboard users hear it.
  function showAlert(text, action) {
    alertBox.replaceChildren(el('p', {}, text));
    if (action) {
      alertBox.append(el('button', { type: 'button', className: 'secondary', onclick: action.run }, action.label));
    }
    alertBox.hidden = false;
    alertBox.focus();
  }

  function clearAlert() {
    alertBox.replaceChildren();
    alertBox.hidden = true;
  }

  // readBody reads a response body: application/problem+json (RFC 9457)
  // or any JSON object; null when the body is not JSON.
  async function readBody(resp) {
    try {
      return await resp.json();
    } catch (e) {
      return null;
    }
  }

  function problemText(resp, body) {
    if (body && typeof body === 'object') {
      if (body.detail) return body.detail;
      if (body.title) return body.title;
      if (typeof body.error === 'string') return body.error;
    }
    return resp.status + ' ' + resp.statusText;
  }

  // ---- fields -------------------------------------------------------------

  function fieldShell(field, tag) {
    const box = el(tag, { className: 'field field-' + field.type, 'data-key': field.name });
    const helpID = uid('help');
    const reasonID = uid('reason');
    const described = [];
    const heading = tag === 'fieldset' ? el('legend', {}, field.label || field.name) : null;
    if (heading) box.append(heading);
    const help = field.help ? el('p', { className: 'help', id: helpID }, field.help) : null;
    if (help) described.push(helpID);
    const reason = field.disabled && field.disabledReason
      ? el('p', { className: 'reason', id: reasonID }, field.disabledReason) : null;
    if (reason) described.push(reasonID);
    return { box, help, reason, describedBy: described.join(' ') };
  }

  function renderBoolean(field, value) {
    const shell = fieldShell(field, 'div');
    const id = uid('toggle');
    const input = el('input', {
      type: 'checkbox', id, name: field.name, checked: value === true,
      disabled: !!field.disabled, 'aria-describedby': shell.describedBy || undefined,
    });
    shell.box.append(el('div', { className: 'toggle' }, input, el('label', { htmlFor: id }, field.label || field.name)));
    if (shell.help) shell.box.append(shell.help);
    if (shell.reason) shell.box.append(shell.reason);
    return {
      field, node: shell.box,
      value: () => input.checked,
      showErrors: () => [],
      clearErrors: () => {},
    };
  }

  function selectorsFor(field, projectID) {
    const empty = { choices: [], placeholder: '' };
    const selectors = field.mappedSelectors || {};
    let s = selectors;
    if (field.perItemMapping) {
      s = selectors[projectID];
      if (!s) {
        const key = Object.keys(selectors).find((k) => k.toLowerCase() === String(projectID).toLowerCase());
        s = key ? selectors[key] : null;
      }
    }
    return {
      on_resolve: (s && s.on_resolve) || empty,
      on_unresolve: (s && s.on_unresolve) || empty,
    };
  }

  // hasOwnSelectors reports whether a per-item field carries the
  // selectors of this project (compared as selectorsFor does).
  function hasOwnSelectors(field, projectID) {
    const selectors = field.mappedSelectors || {};
    return Object.keys(selectors).some((k) => k.toLowerCase() === String(projectID).toLowerCase());
  }

  // A lazy field ("statusUrl", per item) leaves the states of a row it
  // has no selectors for to GET {statusUrl}?field=status&project={id},
  // answered with [{value, label}], as Sentry's frontend asks. Answers
  // are kept 30 s, as there.
  const lazyChoices = new Map(); // url + project ID → {at, promise of [[value, label]]}
  const lazyTTL = 30000;

  function fetchChoices(url, projectID) {
    const key = url + '\n' + projectID;
    const hit = lazyChoices.get(key);
    if (hit && Date.now() - hit.at < lazyTTL) return hit.promise;
    const query = 'field=status&project=' + encodeURIComponent(projectID);
    const promise = fetch(url + (url.includes('?') ? '&' : '?') + query, { headers: { Accept: 'application/json' } })
      .then(async (resp) => {
        const body = await readBody(resp);
        if (!resp.ok || !Array.isArray(body)) throw new Error(problemText(resp, body));
        return body.map((s) => [String(s.value), String(s.label)]);
      });
    promise.catch(() => lazyChoices.delete(key)); // a failure is not kept
    lazyChoices.set(key, { at: Date.now(), promise });
    return promise;
  }

  // fillSelect offers the selector's choices in select, keeping current.
  function fillSelect(select, selector, current) {
    select.replaceChildren(new Option(selector.placeholder || 'Select a status', ''));
    let found = !current;
    for (const choice of selector.choices || []) {
      const [value, label] = choice;
      select.append(new Option(label, value));
      if (value === current) found = true;
    }
    if (!found) {
      // A saved state this project no longer offers: keep it visible so
      // saving does not drop it silently; the server will refuse it.
      select.append(new Option(current + ' (not offered)', current));
    }
    select.value = current || '';
  }

  function stateSelect(selector, current, labelledBy) {
    const select = el('select', { 'aria-labelledby': labelledBy });
    fillSelect(select, selector, current);
    return select;
  }

  function renderMapper(field, value) {
    const shell = fieldShell(field, 'fieldset');
    const { box } = shell;
    box.disabled = !!field.disabled;
    if (shell.help) box.append(shell.help);
    if (shell.reason) box.append(shell.reason);

    const items = (field.addDropdown && field.addDropdown.items) || [];
    const columns = field.columnLabels || {};
    const keys = [
      ['on_resolve', columns.on_resolve || 'on_resolve'],
      ['on_unresolve', columns.on_unresolve || 'on_unresolve'],
    ];
    const labelOf = (id) => {
      const item = items.find((it) => String(it.value).toLowerCase() === String(id).toLowerCase());
      return item ? item.label : id + ' (unknown project)';
    };
    const rank = (id) => {
      const i = items.findIndex((it) => String(it.value).toLowerCase() === String(id).toLowerCase());
      return i < 0 ? items.length : i;
    };

    const rowsBox = el('div', { className: 'rows', role: 'list', 'aria-label': field.mappedColumnLabel || field.label });
    const emptyRows = el('p', { className: 'empty' }, 'No project mapped: statuses are not synced.');
    const rows = new Map(); // project ID → {node, selects, errors}

    const addID = uid('add');
    const addSelect = el('select', { id: addID });
    const addButton = el('button', { type: 'button', className: 'secondary' }, field.addButtonText || 'Add');
    const addNote = el('p', { className: 'note' });
    const addBox = el('div', { className: 'add' },
      el('label', { htmlFor: addID }, field.mappedColumnLabel || 'Project'),
      el('div', { className: 'add-controls' }, addSelect, addButton),
      addNote);

    function refreshAdd() {
      const free = items.filter((it) => !rows.has(String(it.value).toLowerCase()));
      addSelect.replaceChildren(new Option('Choose a project', ''));
      for (const it of free) addSelect.append(new Option(it.label, it.value));
      const none = free.length === 0;
      addSelect.hidden = none;
      addButton.hidden = none;
      addBox.querySelector('label').hidden = none;
      const dropdown = field.addDropdown || {};
      // No project to offer: all are mapped, or none could be listed (when
      // the field is disabled its reason says why).
      addNote.textContent = none ? (items.length ? dropdown.emptyMessage : dropdown.noResultsMessage) || '' : '';
      addNote.hidden = !none || (items.length === 0 && !!field.disabled);
      emptyRows.hidden = rows.size > 0;
    }

    function addRow(projectID, statuses, focus) {
      const key = String(projectID).toLowerCase();
      if (rows.has(key)) return;
      const nameID = uid('project');
      const name = el('span', { className: 'project-name', id: nameID }, labelOf(projectID));
      // Which type's states the row offers: "states of Bug", of "Fehler"
      // on a German collection, of a custom "Defect".
      const type = Object.entries(types).find(([id]) => id.toLowerCase() === key);
      const head = el('div', { className: 'project' }, name);
      if (type && type[1] && type[1].name) {
        head.append(el('span', { className: 'project-type', title: type[1].referenceName || '' }, 'states of ' + type[1].name));
      }
      const errorsID = uid('errors');
      const errors = el('ul', { className: 'row-errors', id: errorsID, hidden: true });
      const lazy = field.perItemMapping && typeof field.statusUrl === 'string' && field.statusUrl !== '' &&
        !hasOwnSelectors(field, projectID);
      const selectors = selectorsFor(field, projectID);
      const selects = {};
      const cells = [];
      for (const [k, label] of keys) {
        const labelID = uid('col');
        const current = statuses && statuses[k];
        // While a lazy row's states load, its saved state stays selected.
        const initial = lazy && current ? { choices: [[current, current]] } : selectors[k];
        const select = stateSelect(initial, current, nameID + ' ' + labelID);
        select.setAttribute('aria-describedby', errorsID);
        select.dataset.key = k;
        selects[k] = select;
        cells.push(el('div', { className: 'cell' }, el('span', { className: 'col-label', id: labelID }, label), select));
      }
      const removeID = uid('remove');
      const remove = el('button', { type: 'button', className: 'remove', id: removeID, 'aria-labelledby': removeID + ' ' + nameID }, 'Remove');
      const node = el('div', { className: 'row', role: 'listitem', 'data-project': projectID },
        head, ...cells, el('div', { className: 'cell cell-remove' }, remove), errors);
      const row = { id: projectID, node, selects, errors };
      remove.addEventListener('click', () => {
        rows.delete(key);
        node.remove();
        refreshAdd();
        setStatus('Removed ' + labelOf(projectID) + '. Save to keep this change.');
        (addSelect.hidden ? saveButton : addSelect).focus();
      });
      rows.set(key, row);
      const after = [...rowsBox.children].find((n) => rank(n.dataset.project) > rank(projectID));
      rowsBox.insertBefore(node, after || null);
      if (lazy) loadRow(row, statuses, focus);
      else if (focus) selects.on_resolve.focus();
    }

    // loadRow fills a lazy row's selects from the states URL; the row is
    // busy (its selects disabled) meanwhile, and says so if it fails.
    function loadRow(row, statuses, focus) {
      const selects = Object.values(row.selects);
      row.node.dataset.loading = 'true';
      row.node.setAttribute('aria-busy', 'true');
      for (const s of selects) s.disabled = true;
      fetchChoices(field.statusUrl, row.id).then((choices) => {
        for (const [k] of keys) {
          const current = row.selects[k].value || (statuses && statuses[k]) || '';
          fillSelect(row.selects[k], { choices }, current);
        }
      }, (err) => {
        row.errors.hidden = false;
        row.errors.append(el('li', { className: 'load-error' }, 'Could not load the states of ' + labelOf(row.id) + ': ' + err.message));
      }).finally(() => {
        delete row.node.dataset.loading;
        row.node.removeAttribute('aria-busy');
        for (const s of selects) s.disabled = false;
        if (focus) row.selects.on_resolve.focus();
      });
    }

    addButton.addEventListener('click', () => {
      const id = addSelect.value;
      if (!id) {
        addNote.textContent = 'Choose a project to add first.';
        addNote.hidden = false;
        addSelect.focus();
        return;
      }
      addRow(id, null, true);
      refreshAdd();
      setStatus('Added ' + labelOf(id) + '. Choose its statuses, then save.');
    });

    const mapping = value && typeof value === 'object' ? value : {};
    for (const id of Object.keys(mapping).sort((a, b) => rank(a) - rank(b))) addRow(id, mapping[id], false);
    box.append(rowsBox, emptyRows, addBox);
    refreshAdd();

    return {
      field, node: box,
      value: () => {
        const out = {};
        for (const row of rows.values()) {
          out[row.id] = { on_resolve: row.selects.on_resolve.value, on_unresolve: row.selects.on_unresolve.value };
        }
        return out;
      },
      // showErrors places each error of this field at its project's row
      // and returns the errors it could not place.
      showErrors: (list) => {
        const left = [];
        let first = null;
        for (const e of list) {
          const row = rows.get(String(e.project).toLowerCase());
          if (!row) {
            left.push(e);
            continue;
          }
          row.node.classList.add('invalid');
          row.errors.hidden = false;
          row.errors.append(el('li', {}, e.message));
          const targets = e.key && row.selects[e.key] ? [row.selects[e.key]] : Object.values(row.selects);
          for (const t of targets) t.setAttribute('aria-invalid', 'true');
          first = first || targets[0];
        }
        if (first) first.focus();
        return left;
      },
      clearErrors: () => {
        for (const row of rows.values()) {
          row.node.classList.remove('invalid');
          row.errors.replaceChildren();
          row.errors.hidden = true;
          for (const s of Object.values(row.selects)) s.removeAttribute('aria-invalid');
        }
      },
    };
  }

  function renderUnknown(field, value) {
    const shell = fieldShell(field, 'div');
    shell.box.append(el('p', { className: 'label' }, field.label || field.name),
      el('p', { className: 'note' }, 'This page cannot edit a field of type "' + field.type + '"; its value is kept as it is.'));
    return { field, node: shell.box, value: () => value, showErrors: (l) => l, clearErrors: () => {} };
  }

  function render(fields, values) {
    editors = fields.map((field) => {
      const value = values ? values[field.name] : undefined;
      switch (field.type) {
        case 'choice_mapper': return renderMapper(field, value);
        case 'boolean': return renderBoolean(field, value);
        default: return renderUnknown(field, value);
      }
    });
    fieldsBox.replaceChildren(...editors.map((e) => e.node));
    saveButton.disabled = editors.length === 0 || editors.every((e) => e.field.disabled);
    form.hidden = false;
  }

  function renderProblems(list) {
    const text = (p) => (p && typeof p === 'object' ? p.detail || p.message || p.title || JSON.stringify(p) : String(p));
    problemList.replaceChildren(...(list || []).map((p) => el('li', {}, text(p))));
    problems.hidden = problemList.children.length === 0;
  }

  // renderConnected says which Azure DevOps account the integration acts
  // as, when the server could tell.
  function renderConnected(name) {
    connected.textContent = typeof name === 'string' && name ? 'Connected as ' + name : '';
    connected.hidden = connected.textContent === '';
  }

  // renderFetched says when the projects and states were read from Azure
  // DevOps, next to the Refresh button; hidden when they were not.
  function renderFetched(at) {
    const p = document.getElementById('fetched');
    const when = at ? new Date(at) : null;
    if (!when || isNaN(when.getTime())) {
      p.hidden = true;
      return;
    }
    const minutes = Math.floor((Date.now() - when.getTime()) / 60000);
    document.getElementById('fetched-text').textContent = 'Projects and states read from Azure DevOps ' +
      (minutes < 1 ? 'less than a minute ago.' : minutes === 1 ? '1 minute ago.' : minutes + ' minutes ago.');
    p.hidden = false;
  }

  // refresh drops the server's cached projects and states, then loads the
  // form again: a project created in Azure DevOps a moment ago appears.
  async function refresh() {
    const button = document.getElementById('refresh');
    button.disabled = true;
    setStatus('Refreshing…');
    try {
      const resp = await fetch(configURL.replace(/\/config$/, '/refresh'), { method: 'POST' });
      if (!resp.ok) {
        setStatus('');
        showAlert('Could not refresh: ' + problemText(resp, await readBody(resp)), { label: 'Try again', run: refresh });
        return;
      }
      await load('Refreshed from Azure DevOps.');
    } catch (e) {
      setStatus('');
      showAlert('Could not reach the server to refresh. Check your connection and try again.', { label: 'Try again', run: refresh });
    } finally {
      button.disabled = false;
    }
  }

  // ---- talking to the server ---------------------------------------------

  async function load(message) {
    app.setAttribute('aria-busy', 'true');
    clearAlert();
    let resp;
    try {
      resp = await fetch(configURL, { headers: { Accept: 'application/json' }, cache: 'no-store' });
    } catch (e) {
      setStatus('');
      showAlert('Could not reach the server to load the form. Check your connection and try again.', { label: 'Try again', run: () => load() });
      app.setAttribute('aria-busy', 'false');
      return;
    }
    const body = await readBody(resp);
    app.setAttribute('aria-busy', 'false');
    if (!resp.ok || !body || !Array.isArray(body.fields)) {
      setStatus('');
      showAlert('Could not load the form: ' + problemText(resp, body), { label: 'Try again', run: () => load() });
      return;
    }
    etag = resp.headers.get('ETag');
    current = body;
    types = (body.types && typeof body.types === 'object') ? body.types : {};
    render(body.fields, body.values);
    renderProblems(body.problems);
    renderConnected(body.connectedAs);
    renderFetched(body.fetchedAt);
    const dropped = (body.dropped || []).length;
    setStatus(message || (dropped
      ? dropped + ' saved mapping(s) no longer match Azure DevOps and were left out; save to confirm.'
      : 'Loaded.'));
  }

  function collect() {
    const out = {};
    for (const e of editors) out[e.field.name] = e.value();
    return out;
  }

  // errorRows reads the 422 rows of a problem: each names the project, the
  // key of the state ("" for the whole entry), the state and a message.
  function errorRows(body) {
    const rows = Array.isArray(body && body.errors) ? body.errors : [];
    return rows.map((r) => (typeof r === 'string' ? { message: r } : {
      project: r.project_id || r.projectId || r.project || '',
      key: r.key || '',
      state: r.state || '',
      message: r.message || r.detail || r.title || 'invalid',
    }));
  }

  async function save() {
    clearAlert();
    for (const e of editors) e.clearErrors();
    const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
    if (etag) headers['If-Match'] = etag;
    saveButton.disabled = true;
    app.setAttribute('aria-busy', 'true');
    setStatus('Saving…');
    let resp;
    try {
      resp = await fetch(configURL, { method: 'PUT', headers, body: JSON.stringify(collect()), cache: 'no-store' });
    } catch (e) {
      resp = null;
    }
    app.setAttribute('aria-busy', 'false');
    saveButton.disabled = false;
    if (!resp) {
      setStatus('Not saved.');
      showAlert('Could not reach the server: nothing was saved. Your changes are still on this page; try again.');
      return;
    }
    const body = await readBody(resp);
    switch (resp.status) {
      case 200: {
        const tag = resp.headers.get('ETag');
        if (tag && body && body.values) {
          etag = tag;
          render(current.fields, body.values);
          setStatus('Saved.', 'ok');
        } else {
          await load('Saved.');
          setStatus('Saved.', 'ok');
        }
        return;
      }
      case 412:
        setStatus('Not saved.');
        showAlert('Someone else saved this configuration after you opened it, so yours was not saved. Reload to see theirs (your changes here will be lost).',
          { label: 'Reload', run: () => load('Reloaded the latest saved configuration.') });
        return;
      case 403:
        setStatus('Not saved.');
        showAlert('You may not change this configuration: ' + problemText(resp, body));
        return;
      case 422: {
        setStatus('Not saved.');
        let left = errorRows(body);
        for (const e of editors) {
          const mine = left.filter((r) => r.project);
          if (e.field.type === 'choice_mapper' && mine.length) {
            const unplaced = e.showErrors(mine);
            left = left.filter((r) => !r.project).concat(unplaced);
          }
        }
        const placed = errorRows(body).length - left.length;
        const lines = left.map((r) => (r.project ? r.project + ': ' : '') + r.message);
        let text = placed ? 'Not saved: fix the ' + (placed === 1 ? 'problem' : placed + ' problems') + ' shown next to the projects.' : 'Not saved: ' + problemText(resp, body);
        if (lines.length) text += ' ' + lines.join(' ');
        alertBox.replaceChildren(el('p', {}, text));
        alertBox.hidden = false;
        if (!placed) alertBox.focus();
        return;
      }
      default:
        setStatus('Not saved.');
        showAlert('Could not save (' + resp.status + '): ' + problemText(resp, body));
    }
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    save();
  });
  document.getElementById('refresh').addEventListener('click', refresh);
  load();
}());
