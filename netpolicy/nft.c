/* SPDX-License-Identifier: Apache-2.0 */
#include "netpolicy/nft.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nftables/libnftables.h>

#include "common/cleanup.h"
#include "common/fd-util.h"

int
nft_ruleset_render (const struct network_config *cfg, bool present, char **out, struct cordon_error *err)
{
  const char *br = cfg->bridge;
  char *buf = NULL;
  size_t size = 0;
  FILE *f = open_memstream (&buf, &size);

  if (f == NULL)
    return cordon_error_set (err, errno, "open_memstream");
  /* Add then delete: removes the table whether or not it exists (older
   * nft has no `destroy`), in the same transaction as the new one.  */
  fprintf (f, "table inet cordon-%.8s\ndelete table inet cordon-%.8s\n", cfg->id, cfg->id);
  if (present)
    {
      fprintf (f,
               "table inet cordon-%.8s {\n"
               "  chain forward {\n"
               "    type filter hook forward priority filter - 10; policy accept;\n",
               cfg->id);
      if (cfg->internal)
        fprintf (f,
                 "    iifname \"%s\" oifname != \"%s\" drop\n"
                 "    oifname \"%s\" iifname != \"%s\" drop\n",
                 br, br, br, br);
      else
        fprintf (f, "    iifname \"%s\" oifname \"" NETWORK_BRIDGE_PREFIX "*\" oifname != \"%s\" drop\n", br, br);
      fputs ("  }\n", f);
      /* Published ports on loopback turn on route_localnet on the bridge
       * (netpolicy/publish.h), which would also let a sandbox send to the
       * host's 127.0.0.1; before conntrack undoes any NAT, so that the
       * replies of published ports still pass.  */
      fprintf (f,
               "  chain guard {\n"
               "    type filter hook prerouting priority raw; policy accept;\n"
               "    iifname \"%s\" ip daddr 127.0.0.0/8 drop\n"
               "  }\n",
               br);
      if (!cfg->internal)
        {
          char subnet[NET_CIDR_STRLEN];
          net_format_cidr (&cfg->subnet, subnet);
          fprintf (f,
                   "  chain postrouting {\n"
                   "    type nat hook postrouting priority srcnat; policy accept;\n"
                   "    ip saddr %s oifname != \"%s\" masquerade\n"
                   "  }\n",
                   subnet, br);
        }
      fputs ("}\n", f);
    }
  if (fclose (f) != 0)
    {
      free (buf);
      return cordon_error_set (err, ENOMEM, "nftables ruleset");
    }
  *out = buf;
  return 0;
}

struct nft_api
{
  void *handle;
  struct nft_ctx *(*ctx_new) (uint32_t);
  void (*ctx_free) (struct nft_ctx *);
  int (*buffer_error) (struct nft_ctx *);
  const char *(*get_error) (struct nft_ctx *);
  int (*run) (struct nft_ctx *, const char *);
  int (*buffer_output) (struct nft_ctx *);
  const char *(*get_output) (struct nft_ctx *);
};

static int
nft_api_open (struct nft_api *api, struct cordon_error *err)
{
  api->handle = dlopen ("libnftables.so.1", RTLD_NOW | RTLD_LOCAL);
  if (api->handle == NULL)
    return cordon_error_set (err, ENOENT, "bridge networks need libnftables (apt-get install libnftables1): %s",
                             dlerror ());
  api->ctx_new = (struct nft_ctx * (*)(uint32_t)) dlsym (api->handle, "nft_ctx_new");
  api->ctx_free = (void (*) (struct nft_ctx *))dlsym (api->handle, "nft_ctx_free");
  api->buffer_error = (int (*) (struct nft_ctx *))dlsym (api->handle, "nft_ctx_buffer_error");
  api->get_error = (const char *(*)(struct nft_ctx *))dlsym (api->handle, "nft_ctx_get_error_buffer");
  api->run = (int (*) (struct nft_ctx *, const char *))dlsym (api->handle, "nft_run_cmd_from_buffer");
  api->buffer_output = (int (*) (struct nft_ctx *))dlsym (api->handle, "nft_ctx_buffer_output");
  api->get_output = (const char *(*)(struct nft_ctx *))dlsym (api->handle, "nft_ctx_get_output_buffer");
  if (!api->ctx_new || !api->ctx_free || !api->buffer_error || !api->get_error || !api->run || !api->buffer_output
      || !api->get_output)
    {
      dlclose (api->handle);
      return cordon_error_set (err, ENOENT, "libnftables.so.1 lacks the command API");
    }
  return 0;
}

/* Forwarding is host-wide (a reply arriving on the uplink is forwarded by
 * the uplink's setting), as Docker finds too; the forward chain above is
 * what keeps it to what the networks allow.  */
static int
enable_forwarding (struct cordon_error *err)
{
  char cur[8];
  cleanup_close int fd = -1;

  if (fd_read_small ("/proc/sys/net/ipv4/ip_forward", 0, cur, sizeof cur) > 0 && cur[0] == '1')
    return 0;
  fd = open ("/proc/sys/net/ipv4/ip_forward", O_WRONLY | O_CLOEXEC);
  if (fd < 0 || !fd_write_all (fd, "1\n", 2))
    return cordon_error_set (err, errno ? errno : EIO, "turn on net.ipv4.ip_forward");
  return 0;
}

int
nft_run_text (const char *text, char **output, struct cordon_error *err)
{
  struct nft_api api = { 0 };
  struct nft_ctx *ctx;
  int r;

  r = nft_api_open (&api, err);
  if (r < 0)
    return r;
  ctx = api.ctx_new (NFT_CTX_DEFAULT);
  if (ctx == NULL)
    r = cordon_error_set (err, ENOMEM, "nftables context");
  else
    {
      api.buffer_error (ctx);
      if (output)
        api.buffer_output (ctx);
      if (api.run (ctx, text) != 0)
        {
          const char *msg = api.get_error (ctx);
          r = cordon_error_set (err, 0, "nftables: %.*s", msg ? (int)strcspn (msg, "\n") : 0, msg ? msg : "");
          err->status = EPERM;
        }
      else if (output)
        {
          const char *o = api.get_output (ctx);
          *output = strdup (o ? o : "");
          if (*output == NULL)
            r = cordon_error_set (err, ENOMEM, "out of memory");
        }
      api.ctx_free (ctx);
    }
  dlclose (api.handle);
  return r;
}

static int
run_ruleset (const struct network_config *cfg, bool present, struct cordon_error *err)
{
  cleanup_free char *text = NULL;
  int r;

  r = nft_ruleset_render (cfg, present, &text, err);
  if (r < 0)
    return r;
  return nft_run_text (text, NULL, err);
}

int
nft_network_apply (const struct network_config *cfg, struct cordon_error *err)
{
  int r = run_ruleset (cfg, true, err);

  if (r < 0)
    return r;
  return cfg->internal ? 0 : enable_forwarding (err);
}

int
nft_network_remove (const struct network_config *cfg, struct cordon_error *err)
{
  return run_ruleset (cfg, false, err);
}

int
nft_remove_orphan_tables (struct cordon_error *err)
{
  cleanup_free char *out = NULL, *text = NULL;
  char *line, *save = NULL;
  size_t size = 0;
  FILE *f;
  int r;

  r = nft_run_text ("list tables inet\n", &out, err);
  if (r < 0)
    return r;
  f = open_memstream (&text, &size);
  if (f == NULL)
    return cordon_error_set (err, errno, "open_memstream");
  for (line = strtok_r (out, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char id[9], bridge[16], end;
      /* Exactly "table inet cordon-" and 8 hex digits: a network's table
       * (a published port's is `ip cordon-p-...`, not listed here).  */
      if (sscanf (line, "table inet cordon-%8[0-9a-f]%c", id, &end) != 1 || strlen (id) != 8)
        continue;
      snprintf (bridge, sizeof bridge, NETWORK_BRIDGE_PREFIX "%s", id);
      if (if_nametoindex (bridge) == 0 && errno == ENODEV)
        fprintf (f, "delete table inet cordon-%s\n", id);
    }
  if (fclose (f) != 0)
    return cordon_error_set (err, errno, "open_memstream");
  if (size == 0)
    return 0;
  return nft_run_text (text, NULL, err);
}
