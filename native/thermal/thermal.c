/*
 * agent-agency thermal helper: prints the temperature sensors this machine exposes as one line
 * of JSON on stdout, then exits 0. A machine without sensors prints an empty list; a platform the
 * helper does not know prints ok:false with an error. The app parses the output with a schema and
 * falls back to its portable readers whenever this program is missing, slow or wrong.
 *
 *   thermal [--root SYSFS_DIR]
 *
 * Linux: /sys/class/thermal/thermal_zone* and /sys/class/hwmon/hwmon* (millidegrees Celsius).
 * macOS (Apple Silicon): the SoC temperature sensors through the IOKit HID event system.
 * --root reads a sysfs tree at SYSFS_DIR instead (on any platform), which is how it is tested.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SENSORS 256
#define LABEL_LEN 160

typedef struct {
  const char *source;
  char label[LABEL_LEN];
  double celsius;
  int has_crit;
  double crit;
} sensor_t;

static sensor_t sensors[MAX_SENSORS];
static int sensor_count = 0;

/* Firmware placeholders (-273, 255, ...) are not temperatures. */
static int plausible(double c) { return c > -40.0 && c < 150.0; }

static void add_sensor(const char *source, const char *label, double celsius, int has_crit, double crit) {
  if (sensor_count >= MAX_SENSORS || !plausible(celsius)) return;
  sensor_t *s = &sensors[sensor_count++];
  s->source = source;
  snprintf(s->label, sizeof s->label, "%s", label);
  s->celsius = celsius;
  s->has_crit = has_crit && plausible(crit);
  s->crit = crit;
}

/* Reads a small text file, trimmed; returns 0 when missing, unreadable or empty. */
static int read_text(const char *path, char *buf, size_t len) {
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  size_t n = fread(buf, 1, len - 1, f);
  int failed = ferror(f);
  fclose(f);
  if (failed) return 0;
  buf[n] = '\0';
  while (n > 0 && isspace((unsigned char)buf[n - 1])) buf[--n] = '\0';
  size_t start = 0;
  while (buf[start] && isspace((unsigned char)buf[start])) start++;
  if (start > 0) memmove(buf, buf + start, n - start + 1);
  return buf[0] != '\0';
}

/* sysfs reports millidegrees Celsius as a decimal integer. */
static int read_milli(const char *path, double *out) {
  char buf[64];
  if (!read_text(path, buf, sizeof buf)) return 0;
  const char *p = buf[0] == '-' ? buf + 1 : buf;
  if (!*p) return 0;
  for (; *p; p++)
    if (!isdigit((unsigned char)*p)) return 0;
  errno = 0;
  long v = strtol(buf, NULL, 10);
  if (errno) return 0;
  double c = (double)v / 1000.0;
  if (!plausible(c)) return 0;
  *out = c;
  return 1;
}

/* Matches PREFIX followed by digits and an optional exact SUFFIX; stores the number. */
static int match_numbered(const char *name, const char *prefix, const char *suffix, long *number) {
  size_t pl = strlen(prefix);
  if (strncmp(name, prefix, pl) != 0) return 0;
  const char *p = name + pl;
  if (!isdigit((unsigned char)*p)) return 0;
  char *end;
  *number = strtol(p, &end, 10);
  return strcmp(end, suffix) == 0;
}

static int join(char *out, size_t len, const char *a, const char *b) {
  int n = snprintf(out, len, "%s/%s", a, b);
  return n > 0 && (size_t)n < len;
}

static void read_thermal_zones(const char *root) {
  char base[4096];
  if (!join(base, sizeof base, root, "class/thermal")) return;
  DIR *dir = opendir(base);
  if (!dir) return;
  struct dirent *e;
  while ((e = readdir(dir)) != NULL) {
    long n;
    if (!match_numbered(e->d_name, "thermal_zone", "", &n)) continue;
    char zone[4096], path[4096], type[LABEL_LEN];
    double c, crit = 0;
    int has_crit = 0;
    if (!join(zone, sizeof zone, base, e->d_name)) continue;
    if (!join(path, sizeof path, zone, "temp") || !read_milli(path, &c)) continue;
    if (!join(path, sizeof path, zone, "type") || !read_text(path, type, sizeof type)) snprintf(type, sizeof type, "%.*s", (int)sizeof type - 1, e->d_name);
    DIR *zd = opendir(zone);
    if (zd) {
      struct dirent *t;
      while (!has_crit && (t = readdir(zd)) != NULL) {
        long trip;
        char trip_type[64], name[64];
        if (!match_numbered(t->d_name, "trip_point_", "_type", &trip)) continue;
        if (!join(path, sizeof path, zone, t->d_name) || !read_text(path, trip_type, sizeof trip_type)) continue;
        if (strcmp(trip_type, "critical") != 0) continue;
        snprintf(name, sizeof name, "trip_point_%ld_temp", trip);
        if (join(path, sizeof path, zone, name) && read_milli(path, &crit)) has_crit = 1;
      }
      closedir(zd);
    }
    add_sensor("thermal", type, c, has_crit, crit);
  }
  closedir(dir);
}

static void read_hwmon(const char *root) {
  char base[4096];
  if (!join(base, sizeof base, root, "class/hwmon")) return;
  DIR *dir = opendir(base);
  if (!dir) return;
  struct dirent *e;
  while ((e = readdir(dir)) != NULL) {
    long n;
    if (!match_numbered(e->d_name, "hwmon", "", &n)) continue;
    char chipdir[4096], path[4096], chip[64];
    if (!join(chipdir, sizeof chipdir, base, e->d_name)) continue;
    if (!join(path, sizeof path, chipdir, "name") || !read_text(path, chip, sizeof chip)) snprintf(chip, sizeof chip, "%.*s", (int)sizeof chip - 1, e->d_name);
    DIR *cd = opendir(chipdir);
    if (!cd) continue;
    struct dirent *f;
    while ((f = readdir(cd)) != NULL) {
      long idx;
      if (!match_numbered(f->d_name, "temp", "_input", &idx)) continue;
      double c, crit = 0;
      char name[64], label[96], full[LABEL_LEN];
      if (!join(path, sizeof path, chipdir, f->d_name) || !read_milli(path, &c)) continue;
      snprintf(name, sizeof name, "temp%ld_label", idx);
      if (!join(path, sizeof path, chipdir, name) || !read_text(path, label, sizeof label)) snprintf(label, sizeof label, "temp%ld", idx);
      snprintf(name, sizeof name, "temp%ld_crit", idx);
      int has_crit = join(path, sizeof path, chipdir, name) && read_milli(path, &crit);
      snprintf(full, sizeof full, "%s %s", chip, label);
      add_sensor("hwmon", full, c, has_crit, crit);
    }
    closedir(cd);
  }
  closedir(dir);
}

#ifdef __APPLE__
#include <CoreFoundation/CoreFoundation.h>

/* Private but long-stable IOKit HID event-system API (used by powermetrics-style tools). */
typedef struct __IOHIDEvent *IOHIDEventRef;
typedef struct __IOHIDServiceClient *IOHIDServiceClientRef;
typedef struct __IOHIDEventSystemClient *IOHIDEventSystemClientRef;
extern IOHIDEventSystemClientRef IOHIDEventSystemClientCreate(CFAllocatorRef allocator);
extern int IOHIDEventSystemClientSetMatching(IOHIDEventSystemClientRef client, CFDictionaryRef match);
extern CFArrayRef IOHIDEventSystemClientCopyServices(IOHIDEventSystemClientRef client);
extern IOHIDEventRef IOHIDServiceClientCopyEvent(IOHIDServiceClientRef service, int64_t type, int32_t options, int64_t timestamp);
extern CFTypeRef IOHIDServiceClientCopyProperty(IOHIDServiceClientRef service, CFStringRef key);
extern double IOHIDEventGetFloatValue(IOHIDEventRef event, int32_t field);

#define HID_EVENT_TYPE_TEMPERATURE 15
#define HID_EVENT_FIELD_BASE(type) ((type) << 16)
#define HID_PAGE_APPLE_VENDOR 0xff00
#define HID_USAGE_TEMPERATURE_SENSOR 0x0005

static int read_apple_hid(void) {
  IOHIDEventSystemClientRef client = IOHIDEventSystemClientCreate(kCFAllocatorDefault);
  if (!client) return 0;
  int page = HID_PAGE_APPLE_VENDOR, usage = HID_USAGE_TEMPERATURE_SENSOR;
  CFNumberRef values[2] = {CFNumberCreate(NULL, kCFNumberIntType, &page), CFNumberCreate(NULL, kCFNumberIntType, &usage)};
  CFStringRef keys[2] = {CFSTR("PrimaryUsagePage"), CFSTR("PrimaryUsage")};
  CFDictionaryRef match = CFDictionaryCreate(NULL, (const void **)keys, (const void **)values, 2, &kCFTypeDictionaryKeyCallBacks,
                                             &kCFTypeDictionaryValueCallBacks);
  IOHIDEventSystemClientSetMatching(client, match);
  CFArrayRef services = IOHIDEventSystemClientCopyServices(client);
  if (services) {
    CFIndex count = CFArrayGetCount(services);
    for (CFIndex i = 0; i < count; i++) {
      IOHIDServiceClientRef service = (IOHIDServiceClientRef)CFArrayGetValueAtIndex(services, i);
      IOHIDEventRef event = IOHIDServiceClientCopyEvent(service, HID_EVENT_TYPE_TEMPERATURE, 0, 0);
      if (!event) continue;
      double c = IOHIDEventGetFloatValue(event, HID_EVENT_FIELD_BASE(HID_EVENT_TYPE_TEMPERATURE));
      CFRelease(event);
      char label[LABEL_LEN] = "sensor";
      CFTypeRef product = IOHIDServiceClientCopyProperty(service, CFSTR("Product"));
      if (product) {
        if (CFGetTypeID(product) == CFStringGetTypeID()) CFStringGetCString((CFStringRef)product, label, sizeof label, kCFStringEncodingUTF8);
        CFRelease(product);
      }
      add_sensor("hid", label, c, 0, 0);
    }
    CFRelease(services);
  }
  CFRelease(match);
  CFRelease(values[0]);
  CFRelease(values[1]);
  CFRelease(client);
  return 1;
}
#endif

static void print_json_string(const char *s) {
  putchar('"');
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') printf("\\%c", *p);
    else if (*p < 0x20) printf("\\u%04x", *p);
    else putchar(*p);
  }
  putchar('"');
}

int main(int argc, char **argv) {
  const char *root = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--root") == 0 && i + 1 < argc) root = argv[++i];
    else {
      fprintf(stderr, "usage: thermal [--root SYSFS_DIR]\n");
      return 2;
    }
  }
#if defined(__APPLE__)
  const char *platform = "darwin";
#elif defined(__linux__)
  const char *platform = "linux";
#else
  const char *platform = "other";
#endif
  int ok = 1;
  const char *error = NULL;
  if (root) {
    read_thermal_zones(root);
    read_hwmon(root);
  } else {
#if defined(__APPLE__)
    if (!read_apple_hid()) {
      ok = 0;
      error = "the IOKit HID event system is not available";
    }
#elif defined(__linux__)
    read_thermal_zones("/sys");
    read_hwmon("/sys");
#else
    ok = 0;
    error = "no sensor reader for this platform";
#endif
  }
  printf("{\"ok\":%s,\"platform\":", ok ? "true" : "false");
  print_json_string(platform);
  printf(",\"sensors\":[");
  for (int i = 0; i < sensor_count; i++) {
    const sensor_t *s = &sensors[i];
    printf("%s{\"source\":", i ? "," : "");
    print_json_string(s->source);
    printf(",\"label\":");
    print_json_string(s->label);
    printf(",\"celsius\":%.3f", s->celsius);
    if (s->has_crit) printf(",\"critC\":%.3f", s->crit);
    putchar('}');
  }
  printf("],\"error\":");
  if (error) print_json_string(error);
  else printf("null");
  printf("}\n");
  return 0;
}
