// Keyboard shortcuts for the labeling page: the page registers a .NET handler; keys typed into
// text inputs are left alone except Enter with Ctrl/Cmd.
window.labelHub = {
  registerShortcuts: function (dotnetRef) {
    window.labelHub.unregisterShortcuts();
    const handler = function (e) {
      const t = e.target;
      const typing = t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable);
      if (typing && !(e.key === 'Enter' && (e.ctrlKey || e.metaKey)) && e.key !== 'Escape') return;
      if (e.altKey) return;
      const key = e.key;
      if (/^[0-9]$/.test(key) || key === 'Enter' || key === 's' || key === 'S' || key === 'g' || key === 'G' || key === 'Escape' || key === '?') {
        e.preventDefault();
        dotnetRef.invokeMethodAsync('OnShortcut', key);
      }
    };
    window.labelHub._handler = handler;
    document.addEventListener('keydown', handler);
  },
  unregisterShortcuts: function () {
    if (window.labelHub._handler) {
      document.removeEventListener('keydown', window.labelHub._handler);
      window.labelHub._handler = null;
    }
  }
};
