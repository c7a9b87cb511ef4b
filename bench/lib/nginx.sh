# shellcheck shell=bash
# Sourced by the bench scripts: nginx as the reference static server, configured in one place so
# every comparison runs against the same nginx (sendfile, keep-alive without a request cap).
#   bench_nginx DIR PORT STATIC_DIR WORKERS PROBE [DIRECTIVE...]
# writes DIR/nginx.conf serving STATIC_DIR under /static/ on 127.0.0.1:PORT with WORKERS worker
# processes, each DIRECTIVE added to the http block (e.g. "gzip_static on;"; access_log is off
# unless one sets it), starts nginx in the background with its pid in `nginx_pid`, and waits
# until /static/PROBE answers (10 s). Fails when it never did.
bench_nginx() {
  local dir=$1 port=$2 static=$3 workers=$4 probe=$5 user="" directive extra=""
  shift 5
  for directive in "$@"; do extra+="  $directive"$'\n'; done
  [[ $extra == *access_log* ]] || extra+="  access_log off;"$'\n'
  # As root, nginx's workers would run as nobody, who may not read STATIC_DIR.
  [[ $(id -u) == 0 ]] && user="user $(id -un);"
  mkdir -p "$dir/tmp"
  cat >"$dir/nginx.conf" <<EOF
$user
worker_processes $workers;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
  types { application/json json; }
  default_type application/json;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
$extra  client_body_temp_path $dir/tmp;
  proxy_temp_path $dir/tmp;
  fastcgi_temp_path $dir/tmp;
  uwsgi_temp_path $dir/tmp;
  scgi_temp_path $dir/tmp;
  server {
    listen 127.0.0.1:$port;
    location /static/ { alias ${static%/}/; }
  }
}
EOF
  nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" &
  # shellcheck disable=SC2034 # the caller reads it
  nginx_pid=$!
  local _
  for _ in $(seq 100); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/static/$probe" && return 0
    sleep 0.1
  done
  echo "bench: nginx on port $port never served /static/$probe (see $dir/error.log)" >&2
  return 1
}
