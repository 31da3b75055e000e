// Bounding-box drawing for BoxField.razor. The browser owns the boxes while they are drawn, moved and
// resized (smooth, no round trip per mouse move); after every finished change it sends the whole list to
// .NET, which keeps the answer. Boxes are fractions (0..1) of the image, so they scale with it.
// Each report says whether it is an edit by the annotator (one new undo step), so a page that keeps one
// undo history for all its fields can record it; such a page also takes Ctrl+Z itself (options.undoKey false).
(function () {
  'use strict';

  // Drags shorter than this (screen pixels) are clicks; drawn boxes smaller than this are dropped.
  const MIN_DRAG_PX = 4;
  const CORNERS = ['nw', 'ne', 'sw', 'se'];

  // The editor that Delete, Backspace, Ctrl+Z and Escape act on: the one last touched (or created).
  let current = null;

  const clamp = (value, min, max) => Math.min(max, Math.max(min, value));

  function copyBoxes(boxes) {
    return (boxes || []).map((b) => ({ x: b.x, y: b.y, w: b.w, h: b.h, label: b.label }));
  }

  function isTyping(target) {
    return !!target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT' || target.isContentEditable);
  }

  class BoxEditor {
    constructor(stage, layer, image, dotnet, options) {
      this.stage = stage;
      this.layer = layer;
      this.image = image;
      this.dotnet = dotnet;
      this.name = options.name;
      this.colors = options.colors || {};
      this.activeLabel = options.activeLabel;
      // False when the page undoes with Ctrl+Z (its history covers every field and calls undo() here).
      this.undoKey = options.undoKey !== false;
      // Boxes restored from a draft; reported to .NET once the image's size is known.
      this.boxes = copyBoxes(options.initialBoxes);
      this.reportInitial = this.boxes.length > 0;
      this.selected = -1;
      // The selected box was just drawn: Delete removes it, but picking a label only changes the label of the next box.
      this.fresh = false;
      this.history = [];
      this.drag = null;
      this.handlers = {
        down: (e) => this.pointerDown(e),
        move: (e) => this.pointerMove(e),
        up: (e) => this.pointerUp(e),
        cancel: () => this.pointerCancel(),
        load: () => this.imageLoaded(),
        error: () => this.call('OnImageFailed'),
      };
      layer.addEventListener('pointerdown', this.handlers.down);
      layer.addEventListener('pointermove', this.handlers.move);
      layer.addEventListener('pointerup', this.handlers.up);
      layer.addEventListener('pointercancel', this.handlers.cancel);
      image.addEventListener('load', this.handlers.load);
      image.addEventListener('error', this.handlers.error);
      if (image.complete && image.naturalWidth > 0) {
        this.imageLoaded();
      }
      current = this;
      this.render();
    }

    dispose() {
      this.layer.removeEventListener('pointerdown', this.handlers.down);
      this.layer.removeEventListener('pointermove', this.handlers.move);
      this.layer.removeEventListener('pointerup', this.handlers.up);
      this.layer.removeEventListener('pointercancel', this.handlers.cancel);
      this.image.removeEventListener('load', this.handlers.load);
      this.image.removeEventListener('error', this.handlers.error);
      this.layer.replaceChildren();
      this.dotnet = null;
      if (current === this) {
        current = null;
      }
    }

    call(method, ...args) {
      // The component may be gone (next task, page left) while a call is on its way; that is fine.
      if (this.dotnet) {
        this.dotnet.invokeMethodAsync(method, ...args).catch(() => { });
      }
    }

    imageLoaded() {
      this.stage.dataset.loaded = 'true';
      this.call('OnImageLoaded', this.image.naturalWidth, this.image.naturalHeight);
      if (this.reportInitial) {
        this.reportInitial = false;
        this.changed(false);
      }
    }

    // The pointer as fractions of the image, clamped to it, plus the image's screen rectangle.
    point(e) {
      const rect = this.layer.getBoundingClientRect();
      return {
        x: clamp((e.clientX - rect.left) / rect.width, 0, 1),
        y: clamp((e.clientY - rect.top) / rect.height, 0, 1),
        rect: rect,
      };
    }

    snapshot() {
      return { boxes: this.boxes.map((b) => ({ ...b })), selected: this.selected };
    }

    pointerDown(e) {
      if (e.button !== 0 || this.drag) {
        return;
      }
      current = this;
      this.fresh = false;
      e.preventDefault();
      // Takes focus away from any text field, so Delete and Ctrl+Z mean the boxes now.
      this.stage.focus({ preventScroll: true });
      const p = this.point(e);
      if (p.rect.width <= 0 || p.rect.height <= 0) {
        return;
      }
      const before = this.snapshot();
      const handle = e.target.closest('[data-handle]');
      const boxElement = e.target.closest('[data-box-index]');
      if (boxElement) {
        const index = Number(boxElement.dataset.boxIndex);
        const box = this.boxes[index];
        this.selected = index;
        if (handle) {
          // Resizing by a corner: the opposite corner stays where it is.
          const corner = handle.dataset.handle;
          this.drag = {
            mode: 'resize', index: index, before: before, start: p, moved: false,
            anchorX: corner.includes('w') ? box.x + box.w : box.x,
            anchorY: corner.includes('n') ? box.y + box.h : box.y,
          };
        } else {
          this.drag = { mode: 'move', index: index, before: before, start: p, moved: false, offsetX: p.x - box.x, offsetY: p.y - box.y };
        }
      } else {
        this.selected = -1;
        this.drag = { mode: 'draw', index: -1, before: before, start: p, moved: false, anchorX: p.x, anchorY: p.y };
      }
      this.layer.setPointerCapture(e.pointerId);
      this.render();
    }

    pointerMove(e) {
      const drag = this.drag;
      if (!drag) {
        return;
      }
      const p = this.point(e);
      if (!drag.moved) {
        const distance = Math.hypot((p.x - drag.start.x) * p.rect.width, (p.y - drag.start.y) * p.rect.height);
        if (distance < MIN_DRAG_PX) {
          return;
        }
        drag.moved = true;
        if (drag.mode === 'draw') {
          this.boxes.push({ x: drag.anchorX, y: drag.anchorY, w: 0, h: 0, label: this.activeLabel });
          drag.index = this.boxes.length - 1;
        }
      }
      const box = this.boxes[drag.index];
      if (drag.mode === 'move') {
        box.x = clamp(p.x - drag.offsetX, 0, 1 - box.w);
        box.y = clamp(p.y - drag.offsetY, 0, 1 - box.h);
      } else {
        // Drawing and resizing span the box from the anchor to the pointer, whichever way it goes.
        const minW = drag.mode === 'resize' ? Math.min(1, 1 / p.rect.width) : 0;
        const minH = drag.mode === 'resize' ? Math.min(1, 1 / p.rect.height) : 0;
        box.x = Math.min(drag.anchorX, p.x);
        box.y = Math.min(drag.anchorY, p.y);
        box.w = Math.max(minW, Math.abs(p.x - drag.anchorX));
        box.h = Math.max(minH, Math.abs(p.y - drag.anchorY));
        box.x = Math.min(box.x, 1 - box.w);
        box.y = Math.min(box.y, 1 - box.h);
      }
      this.render();
    }

    pointerUp(e) {
      const drag = this.drag;
      if (!drag) {
        return;
      }
      this.drag = null;
      if (this.layer.hasPointerCapture(e.pointerId)) {
        this.layer.releasePointerCapture(e.pointerId);
      }
      let edited = false;
      if (drag.moved) {
        const rect = this.layer.getBoundingClientRect();
        const box = this.boxes[drag.index];
        if (drag.mode === 'draw' && (box.w * rect.width < MIN_DRAG_PX || box.h * rect.height < MIN_DRAG_PX)) {
          // Too thin to be meant as a box.
          this.boxes.splice(drag.index, 1);
        } else {
          this.history.push(drag.before);
          edited = true;
          if (drag.mode === 'draw') {
            // Selected, so Delete takes it back at once; fresh, so choosing the next label leaves its label alone.
            this.selected = drag.index;
            this.fresh = true;
          }
        }
      }
      this.render();
      this.changed(edited);
    }

    pointerCancel() {
      if (this.drag) {
        const before = this.drag.before;
        this.drag = null;
        this.boxes = before.boxes;
        this.selected = before.selected;
        this.render();
        this.changed(false);
      }
    }

    setActiveLabel(label) {
      this.activeLabel = label;
      const box = this.fresh ? null : this.boxes[this.selected];
      if (box && box.label !== label) {
        this.history.push(this.snapshot());
        box.label = label;
        this.render();
        this.changed(true);
      }
    }

    deleteSelected() {
      if (this.selected < 0 || this.selected >= this.boxes.length) {
        return;
      }
      this.history.push(this.snapshot());
      this.boxes.splice(this.selected, 1);
      this.selected = -1;
      this.render();
      this.changed(true);
    }

    // Every box replaced (a model's suggestion), as one undo step. Not an edit of the annotator's: the page that
    // asked for it records it itself.
    replace(boxes) {
      this.history.push(this.snapshot());
      this.boxes = copyBoxes(boxes);
      this.selected = -1;
      this.fresh = false;
      this.render();
      if (this.stage.dataset.loaded !== 'true') {
        // Reported again once the image's size is known, as boxes from a draft are.
        this.reportInitial = true;
      }
      this.changed(false);
    }

    undo() {
      const previous = this.history.pop();
      if (!previous) {
        return;
      }
      this.boxes = previous.boxes;
      this.selected = previous.selected < this.boxes.length ? previous.selected : -1;
      this.fresh = false;
      this.render();
      this.changed(false);
    }

    deselect() {
      if (this.selected >= 0) {
        this.selected = -1;
        this.render();
        this.changed(false);
      }
    }

    // edited: the annotator drew, moved, resized, relabeled or deleted a box, which added one undo step.
    changed(edited) {
      this.call('OnBoxesChanged', copyBoxes(this.boxes), this.selected, this.history.length, edited);
    }

    render() {
      const nodes = this.boxes.map((box, index) => {
        const color = this.colors[box.label] || '#1e88e5';
        const selected = index === this.selected;
        const element = document.createElement('div');
        element.className = 'lh-box' + (selected ? ' lh-box--selected' : '');
        element.dataset.boxIndex = String(index);
        element.dataset.label = box.label;
        element.dataset.selected = selected ? 'true' : 'false';
        element.setAttribute('data-testid', `box-${this.name}-${index}`);
        element.style.left = `${box.x * 100}%`;
        element.style.top = `${box.y * 100}%`;
        element.style.width = `${box.w * 100}%`;
        element.style.height = `${box.h * 100}%`;
        element.style.borderColor = color;
        element.style.backgroundColor = color + (selected ? '33' : '1a');
        const tag = document.createElement('span');
        tag.className = 'lh-box-tag';
        tag.style.backgroundColor = color;
        tag.textContent = `${index + 1} ${box.label}`;
        element.appendChild(tag);
        if (selected) {
          for (const corner of CORNERS) {
            const handle = document.createElement('span');
            handle.className = `lh-box-handle lh-box-handle--${corner}`;
            handle.dataset.handle = corner;
            handle.setAttribute('data-testid', `box-handle-${this.name}-${index}-${corner}`);
            handle.style.borderColor = color;
            element.appendChild(handle);
          }
        }
        return element;
      });
      this.layer.replaceChildren(...nodes);
      this.stage.dataset.boxCount = String(this.boxes.length);
    }
  }

  document.addEventListener('keydown', (e) => {
    const editor = current;
    if (!editor || !editor.layer.isConnected || isTyping(e.target) || e.altKey) {
      return;
    }
    if ((e.key === 'Delete' || e.key === 'Backspace') && editor.selected >= 0) {
      e.preventDefault();
      editor.deleteSelected();
    } else if (editor.undoKey && (e.ctrlKey || e.metaKey) && !e.shiftKey && (e.key === 'z' || e.key === 'Z')) {
      e.preventDefault();
      editor.undo();
    } else if (e.key === 'Escape') {
      // Not prevented: the labeling page also closes its guideline and help on Escape.
      editor.deselect();
    }
  });

  window.labelHub = window.labelHub || {};
  window.labelHub.boxes = {
    init: function (stage, layer, image, dotnet, options) {
      if (stage._labelHubBoxes) {
        stage._labelHubBoxes.dispose();
      }
      stage._labelHubBoxes = new BoxEditor(stage, layer, image, dotnet, options);
    },
    setActiveLabel: function (stage, label) {
      if (stage && stage._labelHubBoxes) {
        current = stage._labelHubBoxes;
        stage._labelHubBoxes.setActiveLabel(label);
      }
    },
    deleteSelected: function (stage) {
      if (stage && stage._labelHubBoxes) {
        stage._labelHubBoxes.deleteSelected();
      }
    },
    undo: function (stage) {
      if (stage && stage._labelHubBoxes) {
        stage._labelHubBoxes.undo();
      }
    },
    replace: function (stage, boxes) {
      if (stage && stage._labelHubBoxes) {
        stage._labelHubBoxes.replace(boxes);
      }
    },
    dispose: function (stage) {
      if (stage && stage._labelHubBoxes) {
        stage._labelHubBoxes.dispose();
        stage._labelHubBoxes = null;
      }
    },
  };
})();
