from highharm.cli import main

main()
