# Builds the unitd native addon (src/native/*.cc) into build/Release/unitd_native.node, and
# build/Release/unitd-probe (src/native/probe.c) and build/Release/unitd_client.so
# (src/native/control-sync.c).
# `npm install` runs `node-gyp rebuild` through package.json's install script.
{
  "targets": [
    {
      "target_name": "unitd_native",
      "sources": [
        "src/native/addon.cc",
        "src/native/spawn.cc",
        "src/native/child-privileges.cc",
        "src/native/child-terminal.cc",
        "src/native/reap.cc",
        "src/native/datagram.cc",
        "src/native/log-socket.cc",
        "src/native/unix-socket.cc",
        "src/native/credentials.cc",
        "src/native/inotify.cc",
        "src/native/signals.cc",
        "src/native/listen.cc",
        "src/native/reexec.cc",
        "src/native/clock-watch.cc",
        "src/native/hangup-watch.cc",
        "src/native/memory.cc",
        "src/native/errors.cc"
      ],
      "dependencies": [
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"
      ],
      "cflags_cc": [ "-std=c++17", "-Wall", "-Wextra", "-Wno-missing-field-initializers" ],
      "defines": [ "NAPI_VERSION=8", "_GNU_SOURCE" ]
    },
    {
      # The clients' blocking control socket (src/native/control-sync.c says why it is apart).
      # Named .so, not .node: prebuildify packs the first *.node it finds, which must stay the addon;
      # unitd_client.so rides along as unitd-probe does (scripts/pack.mjs).
      "target_name": "unitd_client",
      "type": "shared_library",
      "product_prefix": "",
      "product_extension": "so",
      "sources": [ "src/native/control-sync.c" ],
      "cflags": [ "-std=gnu11", "-O2", "-Wall", "-Wextra" ],
      "defines": [ "_GNU_SOURCE" ]
    },
    {
      # systemctl's fast path for health probes (is-active, is-failed, is-system-running):
      # a plain executable, no Node; init/probe.sh runs it (src/native/probe.c says why).
      "target_name": "unitd-probe",
      "type": "executable",
      "sources": [ "src/native/probe.c" ],
      "cflags": [ "-std=c11", "-O2", "-Wall", "-Wextra" ]
    }
  ]
}
