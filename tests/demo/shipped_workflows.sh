#!/usr/bin/env bash
# The shipped workflows score with the demo models and run on generated records:
# scripts/make-demo-models trains the demo models into a temp directory, every workflow
# in workflows/ deploys against them (each score state's features must equal its model's),
# and generated AP, payments, AR and O2C records are imported through the CLI with a
# workflow started per record. Passes when every start succeeded and no instance failed
# for a technical reason (only business outcomes may end in `fail` states).
#
#   tests/demo/shipped_workflows.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
cli=$build/bin/ledgerflow
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

MODELS_DIR=$tmp/models DEMO_DATA_DIR=$tmp/demo-data DEMO_ROWS=4000 BUILD_DIR=$build \
  LEDGERFLOW=$cli scripts/make-demo-models >"$tmp/models.log" 2>&1 ||
  { cat "$tmp/models.log"; exit 1; }

db=$tmp/ledger.db
common=(--db "$db" --models "$tmp/models")
"$cli" deploy workflows "${common[@]}"

gen() { "$cli" gen-data --kind "$1" --rows "$2" --seed 4242 --out "$tmp/$1" >/dev/null; }
gen ap 400
gen payments 300
gen ar 400
gen o2c 300
# Each import exits 1 if a row is rejected or a workflow fails to start.
"$cli" import "$tmp/ap" "${common[@]}" --quiet --start invoices=ap_invoice_approval
"$cli" import "$tmp/payments" "${common[@]}" --quiet --start outgoing_payments=payment_screening
"$cli" import "$tmp/ar" "${common[@]}" --quiet \
  --start incoming_payments=ar_cash_application --start ar_invoices=ar_collections
# O2C's customers are another book with the same ids as AR's: its own database file.
db2=$tmp/o2c.db
"$cli" deploy workflows --db "$db2" --models "$tmp/models" >/dev/null
"$cli" import "$tmp/o2c" --db "$db2" --models "$tmp/models" --quiet \
  --start incoming_payments=ar_cash_application --start orders=o2c_credit_check

# Business outcomes that end in a fail state; anything else failing is a bug
# (posting_failed, release_failed and engine errors included).
allowed='^(duplicate_invoice|invoice_rejected|posting_refused|payment_blocked|credit_refused|written_off|referred_to_agency)$'
status=0
for d in "$db" "$db2"; do
  sqlite3 "$d" "SELECT workflow, status, count(*) FROM instances GROUP BY 1, 2" | sed 's/^/  /'
  bad=$(sqlite3 -separator ' ' "$d" "SELECT i.workflow, i.business_key, \
      coalesce(json_extract(h.data, '$.error'), '?'), coalesce(json_extract(h.data, '$.message'), '') \
      FROM history h JOIN instances i ON i.id = h.instance_id WHERE h.type = 'instance_failed'" |
    awk -v allowed="$allowed" '$3 !~ allowed')
  if [[ -n $bad ]]; then
    echo "instances failed for a technical reason:"
    echo "$bad" | head -20
    status=1
  fi
done
models=$( (sqlite3 "$db" "SELECT DISTINCT json_extract(data, '$.model') FROM history WHERE type = 'decision'"
           sqlite3 "$db2" "SELECT DISTINCT json_extract(data, '$.model') FROM history WHERE type = 'decision'") |
          sort -u | tr '\n' ' ')
echo "  models scored: $models"
for m in ap_invoice_risk payment_fraud ar_late_payment ar_days_late o2c_credit_risk; do
  [[ " $models " == *" $m "* ]] || { echo "model $m was never scored"; status=1; }
done
[[ $status == 0 ]] && echo "shipped workflows: ok"
exit $status
