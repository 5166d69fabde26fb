// Porter admin: the only script. Follows a call's steps live (server-sent events) where a page has a
// #progress block; everything else works without JavaScript.
(function () {
  'use strict';
  function render(state, steps, text, lines) {
    state.textContent = text;
    steps.replaceChildren();
    lines.forEach(function (line, i) {
      var li = document.createElement('li');
      li.textContent = line;
      if (i === lines.length - 1) { li.className = 'last'; }
      steps.appendChild(li);
    });
  }
  function follow(box) {
    var state = box.querySelector('#call-state');
    var steps = box.querySelector('#call-steps');
    var lines = [];
    var source = new EventSource(box.getAttribute('data-events'));
    source.addEventListener('step', function (e) {
      lines.push(e.data);
      render(state, steps, 'Call in progress:', lines);
    });
    source.addEventListener('done', function (e) {
      source.close();
      lines.push('Finished: ' + e.data);
      render(state, steps, 'The call has ended:', lines);
      box.setAttribute('data-finished', 'true');
    });
    source.addEventListener('idle', function () {
      source.close();
      fetch('/api/status', {credentials: 'same-origin'}).then(function (r) { return r.json(); }).then(function (s) {
        if (s.steps && s.steps.length) { render(state, steps, 'The last call:', s.steps); }
        box.setAttribute('data-finished', 'true');
      });
    });
    source.onerror = function () { source.close(); };
  }
  document.addEventListener('DOMContentLoaded', function () {
    var box = document.getElementById('progress');
    if (box) { follow(box); }
  });
}());
