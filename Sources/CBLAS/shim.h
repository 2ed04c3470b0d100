#ifndef LOUPE_CBLAS_SHIM_H
#define LOUPE_CBLAS_SHIM_H
#include <cblas.h>
#endif
