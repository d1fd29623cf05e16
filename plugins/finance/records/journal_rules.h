// The journal's posting rule (RecordStore::post): a document is posted once. Posting it
// again under the key that posted it is a re-run and gets that entry back; under another
// key it is a conflict naming the first entry. The SQLite record store and the test fakes
// (tests/support/finance_fakes.h) both decide by it.
// Thread-safety: stateless functions.
#pragma once

#include <string>

#include "engine/common/result.h"
#include "plugins/finance/records/record_store.h"

namespace ledgerflow::records {

// `posting` of a document already in the journal as `posted`, which `posted_key` posted:
// `posted` (already_posted set) for a re-run, else a conflict.
Result<JournalEntry> repost(const JournalPosting& posting, const JournalEntry& posted,
                            const std::string& posted_key);

}  // namespace ledgerflow::records
