package main

import "flag"

func (c *Config) assistantFlags(fs *flag.FlagSet) {}
