from tracker_service.app import main

main()
