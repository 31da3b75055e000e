// Keyboard shortcuts for the labeling page (docs/decisions/0011-annotator-keys.md): the page registers a .NET handler.
// Keys typed into text inputs stay there, except Ctrl/Cmd+Enter (submit) and Escape (back to the item): both take the
// focus out of the input first, so a key pressed while the next item loads can never be typed into its answer.
// Enter and Space on a focused button or link do what they do there; Enter submits only from the item or a field.
window.labelHub = {
  registerShortcuts: function (dotnetRef) {
    window.labelHub.unregisterShortcuts();
    // Inputs that take no typing (check boxes, rating stars): with focus on them after a click, the shortcuts still apply.
    const untyped = ['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file', 'image'];
    const isTyping = (t) => !!t && (t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable
      || (t.tagName === 'INPUT' && !untyped.includes(t.type)));
    // Controls that Enter (or Space) activates themselves.
    const activatable = 'button, a[href], [role=button], [role=link], [role=menuitem], summary, .mud-clickable, input[type=checkbox], input[type=radio], input[type=button], input[type=submit], input[type=reset]';
    const onControl = (t) => !!(t && t.closest && t.closest(activatable));
    // Letters by their place on the keyboard when an input method (Korean, Japanese) turns them into its own.
    const letterOf = (e) => (/^[\x20-\x7e]$/.test(e.key) || !/^Key[A-Z]$/.test(e.code)) ? e.key : e.code.slice(3).toLowerCase();
    const handler = function (e) {
      if (e.altKey || e.isComposing) return;
      const t = e.target;
      if (isTyping(t)) {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          window.labelHub.focusItem(true);
          dotnetRef.invokeMethodAsync('OnShortcut', 'Enter');
        } else if (e.key === 'Escape') {
          window.labelHub.focusItem(true);
          dotnetRef.invokeMethodAsync('OnShortcut', 'Escape');
        }
        return;
      }
      const key = letterOf(e);
      // Undoes the last change to the answer, whatever the field (the page keeps one history).
      if ((e.ctrlKey || e.metaKey) && !e.shiftKey && (key === 'z' || key === 'Z')) {
        e.preventDefault();
        dotnetRef.invokeMethodAsync('OnShortcut', 'Undo');
        return;
      }
      if (key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        window.labelHub.focusItem(true);
        dotnetRef.invokeMethodAsync('OnShortcut', 'Enter');
        return;
      }
      // Other browser shortcuts (Ctrl+A, Ctrl+S, …) keep their usual meaning.
      if (e.ctrlKey || e.metaKey) return;
      // A confirmation is open: its own keys.
      if (document.querySelector('.mud-dialog-container')) return;
      // The focused button, link or check box does its own thing with Enter and Space.
      if ((key === 'Enter' || key === ' ') && onControl(t)) return;
      if ((key === 'ArrowDown' || key === 'ArrowUp') && !e.shiftKey) {
        // Arrows between the stars of a rating keep their meaning.
        if (t && t.closest && t.closest('input[type=radio], [role=radiogroup]')) return;
        // The focus moves here and now, so the keys pressed next already reach the new field; the field's focusin
        // tells the page which field is active.
        if (window.labelHub.moveField(key === 'ArrowDown' ? 1 : -1)) e.preventDefault();
        return;
      }
      if (/^[0-9]$/.test(key) || key === 'Enter' || key === 'Escape' || key === '?' || key === 'Delete' || key === 'Backspace'
        || ['s', 'S', 'a', 'A', 'g', 'G'].includes(key)) {
        e.preventDefault();
        dotnetRef.invokeMethodAsync('OnShortcut', key.length === 1 ? key.toLowerCase() : key);
      }
    };
    // A click with the mouse on a field's button or check box gives the focus back to the field, so the next Enter
    // submits instead of pressing that button again; a button pressed with a key keeps the focus.
    const onClick = function (e) {
      if (e.detail === 0) return;
      const t = e.target;
      const field = t && t.closest && t.closest('[data-answer-field][tabindex]');
      if (!field || isTyping(t) || !onControl(t)) return;
      field.focus({ preventScroll: true });
    };
    window.labelHub._handler = handler;
    window.labelHub._clickHandler = onClick;
    document.addEventListener('keydown', handler);
    document.addEventListener('click', onClick);
  },
  unregisterShortcuts: function () {
    if (window.labelHub._handler) {
      document.removeEventListener('keydown', window.labelHub._handler);
      window.labelHub._handler = null;
    }
    if (window.labelHub._clickHandler) {
      document.removeEventListener('click', window.labelHub._clickHandler);
      window.labelHub._clickHandler = null;
    }
  },

  // The browser's clock, minutes ahead of UTC (Seoul: 540), so "today" is the user's day.
  utcOffsetMinutes: function () {
    return -new Date().getTimezoneOffset();
  },

  // The focus on the item being labeled, out of any input: after submit and skip the active span field's text, if
  // any, takes it (its keys mark and label; nothing is typed there). itemOnly: the item itself (Ctrl+Enter, Escape).
  focusItem: function (itemOnly) {
    const focused = document.activeElement;
    if (focused && focused !== document.body && typeof focused.blur === 'function') focused.blur();
    const spans = itemOnly ? null : document.querySelector('[data-label-item] .answer-field--active .span-text:not([hidden])');
    const item = spans || document.querySelector('[data-label-item]');
    if (item) item.focus({ preventScroll: true });
  },

  // ↑ and ↓: the previous or next field of the labeling page (in page order: the item's, then the panel's), round the
  // end, from the one with the focus, else the active one. False when the page has no fields.
  moveField: function (delta) {
    const fields = Array.from(document.querySelectorAll('[data-answer-field][tabindex]'));
    if (fields.length === 0) return false;
    const focused = document.activeElement && document.activeElement.closest ? document.activeElement.closest('[data-answer-field][tabindex]') : null;
    const current = focused || document.querySelector('[data-answer-field][tabindex].answer-field--active');
    const at = fields.indexOf(current);
    const next = fields[at < 0 ? (delta > 0 ? 0 : fields.length - 1) : (at + delta + fields.length) % fields.length];
    // Typed fields take the caret in their input, a span field in its text; other fields take the focus themselves.
    const typed = ['Text', 'Number', 'Date'].includes(next.dataset.fieldKind);
    const target = (typed ? next.querySelector('textarea, input:not([type=hidden])') : next.querySelector('.span-text:not([hidden])')) || next;
    target.focus({ preventScroll: true });
    next.scrollIntoView({ block: 'nearest' });
    return true;
  },

  // Keyboard shortcuts for the review pages (a, r, f, h, s, Escape, Ctrl+Z in a fix). Keys typed into inputs are left alone, except
  // Escape and Ctrl/Cmd+Enter, which submits the open comment box or fix.
  registerReviewShortcuts: function (dotnetRef) {
    window.labelHub.unregisterReviewShortcuts();
    const handler = function (e) {
      if (e.altKey || e.isComposing) return;
      const t = e.target;
      // A focused switch or checkbox (e.g. a queue filter) takes no letters: the shortcuts still work there.
      const typing = t && ((t.tagName === 'INPUT' && !['checkbox', 'radio', 'button'].includes(t.type)) || t.tagName === 'TEXTAREA' || t.isContentEditable);
      const key = e.key;
      if (key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        dotnetRef.invokeMethodAsync('OnReviewShortcut', 'Submit');
        return;
      }
      if (key === 'Escape') {
        dotnetRef.invokeMethodAsync('OnReviewShortcut', key);
        return;
      }
      // A confirmation is open (e.g. removing a gold answer): no decision by a stray key. It closes itself on Escape.
      if (document.querySelector('.mud-dialog-container')) return;
      // Ctrl+Z outside text inputs undoes the last change of a fix, whatever the field (the editor keeps one history).
      if (!typing && (e.ctrlKey || e.metaKey) && !e.shiftKey && (key === 'z' || key === 'Z')) {
        e.preventDefault();
        dotnetRef.invokeMethodAsync('OnReviewShortcut', 'Undo');
        return;
      }
      if (typing || e.ctrlKey || e.metaKey) return;
      // Keys typed in a span field's text belong to that field.
      if (t && t.closest && t.closest('.span-text')) return;
      // Letters by their key position too, so that they work while a Korean input method is on.
      const lower = /^Key[A-Z]$/.test(e.code || '') ? e.code.slice(3).toLowerCase() : (key.length === 1 ? key.toLowerCase() : key);
      if (lower === 'a' || lower === 'r' || lower === 'f' || lower === 'h' || lower === 's') {
        e.preventDefault();
        dotnetRef.invokeMethodAsync('OnReviewShortcut', lower);
      }
    };
    window.labelHub._reviewHandler = handler;
    document.addEventListener('keydown', handler);
  },
  unregisterReviewShortcuts: function () {
    if (window.labelHub._reviewHandler) {
      document.removeEventListener('keydown', window.labelHub._reviewHandler);
      window.labelHub._reviewHandler = null;
    }
  },

  // Keyboard shortcuts for the adjudication queue (Cleansing/AdjudicationPage.razor): a accept, e edit, d dismiss, j/k and
  // ↑/↓ between findings, s skip, h history, ? help. While the editor is open ([data-adjudication-editing]) its fields
  // keep their keys: only Ctrl/Cmd+Enter (save), Escape (close) and Ctrl+Z outside inputs (undo) reach the page.
  registerAdjudicationShortcuts: function (dotnetRef) {
    window.labelHub.unregisterAdjudicationShortcuts();
    const handler = function (e) {
      if (e.altKey || e.isComposing) return;
      const t = e.target;
      const typing = t && ((t.tagName === 'INPUT' && !['checkbox', 'radio', 'button'].includes(t.type)) || t.tagName === 'TEXTAREA' || t.isContentEditable);
      const key = e.key;
      if (key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        dotnetRef.invokeMethodAsync('OnAdjudicationKey', 'Submit');
        return;
      }
      if (key === 'Escape') {
        dotnetRef.invokeMethodAsync('OnAdjudicationKey', key);
        return;
      }
      if (document.querySelector('.mud-dialog-container')) return;
      const editing = !!document.querySelector('[data-adjudication-editing]');
      if (!typing && (e.ctrlKey || e.metaKey) && !e.shiftKey && (key === 'z' || key === 'Z')) {
        e.preventDefault();
        dotnetRef.invokeMethodAsync('OnAdjudicationKey', 'Undo');
        return;
      }
      if (editing || typing || e.ctrlKey || e.metaKey) return;
      if (t && t.closest && t.closest('.span-text')) return;
      if (key === 'ArrowDown' || key === 'ArrowUp') {
        e.preventDefault();
        dotnetRef.invokeMethodAsync('OnAdjudicationKey', key === 'ArrowDown' ? 'j' : 'k');
        return;
      }
      if (key === '?') {
        e.preventDefault();
        dotnetRef.invokeMethodAsync('OnAdjudicationKey', key);
        return;
      }
      // Letters by their key position too, so that they work while a Korean input method is on.
      const lower = /^Key[A-Z]$/.test(e.code || '') ? e.code.slice(3).toLowerCase() : (key.length === 1 ? key.toLowerCase() : key);
      if (['a', 'e', 'd', 'j', 'k', 's', 'h'].includes(lower)) {
        e.preventDefault();
        dotnetRef.invokeMethodAsync('OnAdjudicationKey', lower);
      }
    };
    window.labelHub._adjudicationHandler = handler;
    document.addEventListener('keydown', handler);
  },
  unregisterAdjudicationShortcuts: function () {
    if (window.labelHub._adjudicationHandler) {
      document.removeEventListener('keydown', window.labelHub._adjudicationHandler);
      window.labelHub._adjudicationHandler = null;
    }
  },
  // The data manager's keys (DataManagerPage.razor): / focuses the search, J/K move the current row, X checks it,
  // Enter opens it. Not while typing in a field or with a dialog open.
  registerDataManagerKeys: function (dotnetRef) {
    window.labelHub.unregisterDataManagerKeys();
    const handler = function (e) {
      if (e.altKey || e.ctrlKey || e.metaKey || e.isComposing) return;
      const t = e.target;
      const typing = t && ((t.tagName === 'INPUT' && !['checkbox', 'radio', 'button'].includes(t.type)) || t.tagName === 'TEXTAREA' || t.isContentEditable);
      if (typing || document.querySelector('.mud-dialog-container')) return;
      // By key position too, so the keys work under a Korean input method.
      const byCode = { KeyJ: 'j', KeyK: 'k', KeyX: 'x', Slash: '/', Enter: 'Enter' };
      const key = byCode[e.code] || e.key;
      if (!['j', 'k', 'x', '/', 'Enter'].includes(key)) return;
      if (key === 'Enter' && t && (t.tagName === 'BUTTON' || t.tagName === 'A')) return;
      e.preventDefault();
      if (key === '/') {
        const search = document.querySelector('input[data-testid="dm-search"], [data-testid="dm-search"] input');
        if (search) search.focus();
        return;
      }
      dotnetRef.invokeMethodAsync('OnDataManagerKey', key);
    };
    window.labelHub._dataManagerHandler = handler;
    document.addEventListener('keydown', handler);
  },
  unregisterDataManagerKeys: function () {
    if (window.labelHub._dataManagerHandler) {
      document.removeEventListener('keydown', window.labelHub._dataManagerHandler);
      window.labelHub._dataManagerHandler = null;
    }
  },
  // After a decision the focus goes back to the findings, never into an input that is gone (or about to be).
  focusFindings: function () {
    const focused = document.activeElement;
    if (focused && focused !== document.body && typeof focused.blur === 'function') focused.blur();
    const panel = document.querySelector('[data-adjudication-findings]');
    if (panel) panel.focus({ preventScroll: true });
  },

  // Text spans (NER) fields (SpanField.razor). The text is rendered as segments, each carrying data-start (its offset
  // in the source text) and holding one text node, so a DOM position maps to a string offset as data-start plus the
  // offset in that text node. The keys of the caret mode go to the field's .NET component, in order, and do not reach
  // the page's shortcuts; the field decides (e.g. Enter marks the selection, or asks the page to submit).
  spans: {
    attach: function (el, dotnetRef) {
      if (!el) return;
      window.labelHub.spans.detach(el);
      const onKeyDown = function (e) {
        if (e.altKey || e.isComposing) return;
        const key = e.key;
        const ctrl = e.ctrlKey || e.metaKey;
        if (key === 'Escape') {
          // Clears the field's selection; the page still closes its overlays.
          dotnetRef.invokeMethodAsync('OnKey', key, ctrl, e.shiftKey);
          return;
        }
        const handled = key === 'ArrowLeft' || key === 'ArrowRight' || key === 'Home' || key === 'End'
          || key === 'Enter' || key === 'Delete' || key === 'Backspace'
          || (!ctrl && /^[1-9]$/.test(key))
          || (ctrl && !e.shiftKey && (key === 'z' || key === 'Z'));
        if (!handled) return;
        e.preventDefault();
        e.stopPropagation();
        dotnetRef.invokeMethodAsync('OnKey', key, ctrl, e.shiftKey);
      };
      const onMouseDown = function (e) {
        if (e.button !== 0) return;
        // The drag may end outside the text.
        const onMouseUp = function (up) {
          document.removeEventListener('mouseup', onMouseUp, true);
          window.labelHub.spans._mouseUp(el, dotnetRef, up);
        };
        document.addEventListener('mouseup', onMouseUp, true);
      };
      el.addEventListener('keydown', onKeyDown);
      el.addEventListener('mousedown', onMouseDown);
      el._labelHubSpans = { onKeyDown: onKeyDown, onMouseDown: onMouseDown };
    },
    detach: function (el) {
      const handlers = el && el._labelHubSpans;
      if (!handlers) return;
      el.removeEventListener('keydown', handlers.onKeyDown);
      el.removeEventListener('mousedown', handlers.onMouseDown);
      el._labelHubSpans = null;
    },
    _mouseUp: function (el, dotnetRef, e) {
      const selection = window.getSelection();
      if (!selection || selection.rangeCount === 0) return;
      const range = selection.getRangeAt(0);
      const spans = window.labelHub.spans;
      const start = spans.offsetOf(el, range.startContainer, range.startOffset);
      const end = spans.offsetOf(el, range.endContainer, range.endOffset);
      if (start !== end) {
        // The field draws the span itself; the browser's selection would only hide it.
        selection.removeAllRanges();
        dotnetRef.invokeMethodAsync('OnTextSelected', start, end);
        return;
      }
      const target = e.target instanceof Element ? e.target : (e.target && e.target.parentElement);
      const segment = target && target.closest('[data-start]');
      const tag = target && target.closest('[data-span-index]');
      dotnetRef.invokeMethodAsync('OnTextClicked', start,
        segment && el.contains(segment) ? Number(segment.dataset.start) : -1,
        tag && el.contains(tag) ? Number(tag.dataset.spanIndex) : -1);
    },
    // The string offset of a DOM position (node, offset), clamped to the text.
    offsetOf: function (el, node, offset) {
      const length = Number(el.dataset.length) || 0;
      const all = document.createRange();
      all.selectNodeContents(el);
      let where;
      try {
        where = all.comparePoint(node, offset);
      } catch (error) {
        return 0;
      }
      if (where < 0) return 0;
      if (where > 0) return length;
      if (node.nodeType === Node.TEXT_NODE) {
        const segment = node.parentElement && node.parentElement.closest('[data-start]');
        if (segment && el.contains(segment)) return Math.min(length, Number(segment.dataset.start) + offset);
      }
      // Between elements (next to the caret or a label tag): where the next segment starts.
      const point = document.createRange();
      point.setStart(node, offset);
      point.collapse(true);
      for (const segment of el.querySelectorAll('[data-start]')) {
        if (point.comparePoint(segment, 0) >= 0) return Number(segment.dataset.start);
      }
      return length;
    }
  }
};
