-- wrk script: durable starts of rest_bench_invoice (POST with a JSON body and API key).
wrk.method = "POST"
wrk.path = "/v1/workflows/rest_bench_invoice/instances"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer lf-demo-alice"
wrk.body = '{"invoice": {"id": "INV-BENCH", "amount": 420.5}}'

-- Count non-2xx answers so a broken run is not reported as fast.
local bad = 0
response = function(status, headers, body)
  if status ~= 201 then bad = bad + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("non-201 responses: %d\n", summary.errors.status))
end
