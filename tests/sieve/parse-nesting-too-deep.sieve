if true {
  if true {
    if true {
      if true {
        if true {
          if true {
            if true {
              if true {
                if true {
                  if true {
                    if true {
                      if true {
                        if true {
                          if true {
                            if true {
                              if true {
                                if true {
                                  if true {
                                    if true {
                                      if true {
                                        if true {
                                          if true {
                                            if true {
                                              if true {
                                                if true {
                                                  if true {
                                                    if true {
                                                      if true {
                                                        if true {
                                                          if true {
                                                            if true {
                                                              if true {
                                                                discard;
                                                              }
                                                            }
                                                          }
                                                        }
                                                      }
                                                    }
                                                  }
                                                }
                                              }
                                            }
                                          }
                                        }
                                      }
                                    }
                                  }
                                }
                              }
                            }
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}
