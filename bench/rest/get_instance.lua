-- wrk script: GET one instance (path set through the environment by rest_bench.sh).
wrk.method = "GET"
wrk.path = os.getenv("LF_INSTANCE_PATH")
wrk.headers["Authorization"] = "Bearer lf-demo-bob"
done = function(summary, latency, requests)
  io.write(string.format("non-2xx responses: %d\n", summary.errors.status))
end
