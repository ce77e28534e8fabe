#ifndef CKERNEL_H
#define CKERNEL_H
/* Quantized dot products and helpers for the local inference kernel. */
#endif
