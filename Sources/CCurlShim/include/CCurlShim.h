#ifndef TROUPE_CCURLSHIM_H
#define TROUPE_CCURLSHIM_H

// Non-variadic wrappers around libcurl's variadic calls, which Swift cannot
// import. Each wrapper fixes the type of the third argument.

#include <curl/curl.h>

/// Callback types as Swift sees them (plain C function pointers, no captures).
typedef size_t (*troupe_curl_data_callback)(char *data, size_t size, size_t count, void *userdata);
typedef int (*troupe_curl_progress_callback)(void *userdata, curl_off_t dltotal, curl_off_t dlnow,
                                             curl_off_t ultotal, curl_off_t ulnow);

CURLcode troupe_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode troupe_curl_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode troupe_curl_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode troupe_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode troupe_curl_setopt_off(CURL *handle, CURLoption option, curl_off_t value);
CURLcode troupe_curl_setopt_data_callback(CURL *handle, CURLoption option, troupe_curl_data_callback callback);
CURLcode troupe_curl_setopt_progress_callback(CURL *handle, troupe_curl_progress_callback callback);

CURLcode troupe_curl_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode troupe_curl_getinfo_string(CURL *handle, CURLINFO info, const char **value);
CURLcode troupe_curl_getinfo_pointer(CURL *handle, CURLINFO info, void **value);
CURLcode troupe_curl_getinfo_double(CURL *handle, CURLINFO info, double *value);

CURLMcode troupe_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value);

/// The easy handle and result of a finished transfer from `curl_multi_info_read`,
/// or NULL when there is none (the union member is awkward to reach from Swift).
CURL *troupe_curl_multi_next_done(CURLM *multi, CURLcode *result);

#endif
