import Commands

SEL4Img.main()
