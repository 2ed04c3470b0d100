// PLACEHOLDER — the explorer's pure state/update/views live here (issue 6).
