#ifndef CURVEFIT_CLAPACKE_SHIM_H
#define CURVEFIT_CLAPACKE_SHIM_H
#include <lapacke.h>
#endif
