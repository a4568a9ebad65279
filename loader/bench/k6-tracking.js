// k6 script for the live throughput comparison: one tracking GET per iteration, a fresh 16-hex
// visitor id (cid) each, to the matomo-sink given in SINK (http://127.0.0.1:PORT/matomo.php).
import http from 'k6/http';

const sink = __ENV.SINK;
const hex = '0123456789abcdef';

function cid() {
  let s = '';
  for (let i = 0; i < 16; i++) s += hex[Math.floor(Math.random() * 16)];
  return s;
}

export const options = {
  discardResponseBodies: true,
  scenarios: {
    hits: { executor: 'constant-vus', vus: Number(__ENV.VUS || 64), duration: __ENV.DURATION || '20s' },
  },
};

export default function () {
  http.get(`${sink}?idsite=1&rec=1&apiv=1&send_image=0&cid=${cid()}&url=https%3A%2F%2Fexample.test%2Fproducts%2Fa&action_name=Products%20A&ua=Mozilla%2F5.0&res=1920x1080&lang=en-us&pv_id=abc123`);
}
