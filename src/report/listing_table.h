// The terminal table of `traces` and `relabels` (pipeline/export/listing.h gives the rows):
// TIME, TYPE or MODEL, STEP, KIND, then the request and picked files (traces) or the files
// (relabels), and a closing "N of M traces (newest first)" line.
#pragma once
#include <string>

#include "pipeline/export/listing.h"

namespace pt {

std::string render_listing_table(const Listing& listing);

}  // namespace pt
