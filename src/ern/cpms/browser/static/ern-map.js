/* The ERN map (@@ern-map): draws the centres of the page's list on a map.
 *
 * Everything comes from the map element's data attributes: the centres as
 * JSON (data-centres), the tile URL (data-tile-url) and the attribution
 * (data-attribution). The server-rendered list below the map is never
 * hidden: when Leaflet is missing or the tiles cannot be loaded, the map
 * stays hidden (or is hidden again) and a notice points to the list.
 */
(function () {
  "use strict";

  var EUROPE = [50.0, 10.0];

  function notice() {
    var element = document.getElementById("cpms-ern-map-unavailable");
    if (element) {
      element.hidden = false;
    }
  }

  function giveUp(container, map) {
    if (map) {
      map.remove();
    }
    container.hidden = true;
    notice();
  }

  function escapeText(text) {
    var element = document.createElement("span");
    element.textContent = text;
    return element.innerHTML;
  }

  function popup(centre) {
    var content = document.createElement("div");
    var title = document.createElement("a");
    title.href = centre.url;
    title.textContent = centre.title;
    var name = document.createElement("strong");
    name.appendChild(title);
    content.appendChild(name);
    [
      [centre.city, centre.country].filter(Boolean).join(", "),
      (centre.erns || []).join(", "),
    ].forEach(function (line) {
      if (line) {
        var paragraph = document.createElement("div");
        paragraph.textContent = line;
        content.appendChild(paragraph);
      }
    });
    return content;
  }

  function draw(container) {
    var centres;
    try {
      centres = JSON.parse(container.dataset.centres || "[]");
    } catch (error) {
      notice();
      return;
    }
    if (typeof window.L === "undefined" || !container.dataset.tileUrl) {
      notice();
      return;
    }
    var L = window.L;
    var map = null;
    try {
      container.hidden = false;
      map = L.map(container, { scrollWheelZoom: false });
      var loaded = 0;
      var tiles = L.tileLayer(container.dataset.tileUrl, {
        maxZoom: 19,
        // Plain text from the registry, never markup.
        attribution: escapeText(container.dataset.attribution || ""),
      });
      tiles.on("tileload", function () {
        loaded += 1;
      });
      var failed = 0;
      tiles.on("tileerror", function () {
        failed += 1;
      });
      // "load": every tile in view has arrived or failed. None arrived: the
      // tile server is unreachable, and a blank map helps nobody.
      tiles.on("load", function () {
        if (loaded === 0 && failed > 0 && map) {
          var broken = map;
          map = null;
          // After Leaflet has finished with this event.
          window.setTimeout(function () {
            giveUp(container, broken);
          }, 0);
        }
      });
      tiles.addTo(map);
      var points = [];
      centres.forEach(function (centre) {
        var point = [centre.lat, centre.lon];
        points.push(point);
        L.marker(point, { title: centre.title, alt: centre.title })
          .bindPopup(popup(centre))
          .addTo(map);
      });
      if (points.length) {
        map.fitBounds(points, { padding: [30, 30], maxZoom: 8 });
      } else {
        map.setView(EUROPE, 4);
      }
    } catch (error) {
      giveUp(container, map);
    }
  }

  function start() {
    var container = document.getElementById("cpms-ern-map");
    if (container) {
      draw(container);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
